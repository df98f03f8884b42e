// Command httpstuck tells idle server connections from stuck handlers, and
// leaks client connections through per-request Transports:
//
//   - healthy: 5 keep-alive connections idle between requests (plain TCP
//     clients of this process that made one request each and keep their
//     connection): net/http.(*connReader).Read in IO wait;
//   - leak: 25 requests stuck inside the handler main.report, which waits
//     on a channel nobody ever sends on (the report generator it waits for
//     was never started): chan receive inside net/http.(*conn).serve. Each
//     stuck request also keeps its net/http background read (counted with
//     the fixture's);
//   - leak: 20 calls of main.fetchOnce, each making a new http.Client with a
//     new Transport for one request (body read and closed): every Transport
//     keeps its idle connection forever and nobody reuses or closes it:
//     net/http.(*persistConn).readLoop (IO wait) and writeLoop (select).
//     Their server is a one-goroutine HTTP responder (main.tinyServer) that
//     keeps connections open without goroutines of its own.
package main

import (
	"bufio"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	idleConns  = 5
	stuck      = 25
	transports = 20
)

var (
	addr      string
	clients   []net.Conn
	reportsCh = make(chan string) // nobody ever sends: the generator was never started
	inReport  int64
	tinyConns []net.Conn
)

func main() {
	f := fixture.New("httpstuck")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") })
	mux.HandleFunc("/report", report)
	srv := &http.Server{Handler: mux}
	go serveApp(srv, ln)

	for i := 0; i < idleConns; i++ {
		c := dialApp()
		fmt.Fprintf(c, "GET /hello HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			panic(err)
		}
		io.Copy(ioutil.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := 0; i < stuck; i++ {
		c := dialApp()
		fmt.Fprintf(c, "GET /report HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	}
	load.WaitUntil("every /report request is in its handler", func() bool { return atomic.LoadInt64(&inReport) == stuck })

	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go tinyServer(tl)
	for i := 0; i < transports; i++ {
		if err := fetchOnce("http://" + tl.Addr().String() + "/"); err != nil {
			panic(err)
		}
	}
	f.BackgroundReads = func() int { return int(atomic.LoadInt64(&inReport)) }

	f.Kind(fixture.Kind{Name: "application server accept loop", Func: "main.serveApp",
		State: "IO wait", Count: 1, CreatedBy: "main.main", Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "server connection idle between requests (keep-alive)",
		Func: "net/http.(*connReader).Read", State: "IO wait", Count: idleConns, CreatedBy: "net/http.(*Server).Serve",
		Pattern: "http-serve", StackOnly: "http-serve"})
	f.Kind(fixture.Kind{Name: "request stuck inside its handler, waiting on a channel nobody sends on",
		Func: "main.report", State: "chan receive", Count: stuck, CreatedBy: "net/http.(*Server).Serve",
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve", Leaking: true,
		Objects: []fixture.Object{fixture.Obj("reportsCh", "chan", "recv", reportsCh)}})
	f.Kind(fixture.Kind{Name: "tiny one-goroutine HTTP responder (accept loop)", Func: "main.tinyServer",
		State: "IO wait", Count: 1, CreatedBy: "main.main", Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "client readLoop of a per-request Transport's idle connection",
		Func: "net/http.(*persistConn).readLoop", State: "IO wait", Count: transports, CreatedBy: "net/http.(*Transport).dialConn",
		Pattern: "http-serve", StackOnly: "http-serve", Leaking: true})
	f.Kind(fixture.Kind{Name: "client writeLoop of a per-request Transport's idle connection",
		Func: "net/http.(*persistConn).writeLoop", State: "select", Count: transports, CreatedBy: "net/http.(*Transport).dialConn",
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve", Leaking: true})
	f.Note = "The kind net/http.(*connReader).backgroundRead counts the dump request's background read plus one per " +
		"stuck /report request (" + fmt.Sprint(stuck) + ") in HTTP captures; signal captures have the " + fmt.Sprint(stuck) +
		" without a kind."
	f.Run()
}

func serveApp(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil {
		panic(err)
	}
}

func dialApp() net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	clients = append(clients, c)
	return c
}

// report waits for a report that never comes (BUG: nobody sends on reportsCh).
func report(w http.ResponseWriter, r *http.Request) {
	atomic.AddInt64(&inReport, 1)
	body := <-reportsCh
	io.WriteString(w, body)
}

// fetchOnce makes a new client and Transport for every request (BUG): the
// Transport keeps the idle connection and is never used again.
func fetchOnce(url string) error {
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(ioutil.Discard, resp.Body)
	return err
}

// tinyServer answers one request per connection with keep-alive and keeps
// the connection open without reading from it again (one goroutine in all).
func tinyServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil || strings.TrimSpace(line) == "" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n")
		tinyConns = append(tinyConns, c)
	}
}
