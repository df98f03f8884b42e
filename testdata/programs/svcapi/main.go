// Command svcapi is a healthy HTTP API under real load, then idle: nothing
// leaks, though its idle connections look like the http-serve leak.
//
//   - The API server (ReadHeaderTimeout and a 5-minute IdleTimeout, as a
//     well-configured server has) serves /items on 127.0.0.1.
//   - One shared http.Client with a keep-alive Transport (MaxConnsPerHost
//     32) is hammered by 64 goroutines in bursts of 64 x 20 requests; every
//     response body is read and closed, so the connections go back to the
//     pool: after a burst each pooled connection keeps its client readLoop
//     (idle in IO wait) and writeLoop (select) and its server goroutine
//     (*conn).serve idle between requests.
//   - 40 more keep-alive clients (a proxy's upstream connections, plain
//     TCP in this process, no goroutines of their own) send one request per
//     burst on their own connection and keep it open.
//
// Bursts: three before the program reports READY, one more per request to
// /load on the fixture server (regen's load capture), each followed by the
// idle gap in which the dump is taken. The counts are the connections the
// program's own hooks count (server ConnState, the client's dialer).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"sync"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	clientWorkers = 64 // goroutines hammering through the shared client
	perWorker     = 20 // requests per worker and burst
	maxConns      = 32 // the client's MaxConnsPerHost
	proxyConns    = 40 // plain keep-alive connections of a proxy
)

var (
	addr       string
	client     *http.Client
	clientConn load.Conns
	proxies    []*proxyConn

	mu         sync.Mutex
	serverOpen = map[net.Conn]http.ConnState{}
	served     int
)

type proxyConn struct {
	c net.Conn
	r *bufio.Reader
}

func main() {
	f := fixture.New("svcapi")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/items", items)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute,
		ConnState: connState}
	go serveAPI(srv, ln)

	dialer := &net.Dialer{}
	client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxConnsPerHost:     maxConns,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     5 * time.Minute,
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, a)
			if err != nil {
				return nil, err
			}
			return clientConn.Track(c), nil
		},
	}}
	for i := 0; i < proxyConns; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			panic(err)
		}
		proxies = append(proxies, &proxyConn{c: c, r: bufio.NewReader(c)})
	}
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintf(w, "served %d\n", servedCount())
	}))

	f.Kind(fixture.Kind{Name: "API server accept loop", Func: "main.serveAPI",
		State: "IO wait", Count: 1, CreatedBy: "main.main",
		Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "server connection idle between requests (keep-alive, 5-minute IdleTimeout)",
		Func: "net/http.(*connReader).Read", State: "IO wait", CreatedBy: "net/http.(*Server).Serve",
		CountFunc: serverConns, Pattern: "http-serve", StackOnly: "http-serve"})
	f.Kind(fixture.Kind{Name: "client readLoop of a pooled idle connection",
		Func: "net/http.(*persistConn).readLoop", State: "IO wait", CreatedBy: "net/http.(*Transport).dialConn",
		CountFunc: clientConn.Open, Pattern: "http-serve", StackOnly: "http-serve"})
	f.Kind(fixture.Kind{Name: "client writeLoop of a pooled idle connection",
		Func: "net/http.(*persistConn).writeLoop", State: "select", CreatedBy: "net/http.(*Transport).dialConn",
		CountFunc: clientConn.Open, Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after a burst of real requests " +
		"(64 goroutines x 20 requests through one keep-alive http.Client, plus one request on each of 40 " +
		"proxy keep-alive connections). Counts are the open connections counted by the server's ConnState " +
		"hook and the client's dialer."
	f.Run()
}

func serveAPI(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil {
		panic(err)
	}
}

func items(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	served++
	n := served
	mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]interface{}{"items": []int{1, 2, 3}, "served": n})
}

func servedCount() int {
	mu.Lock()
	defer mu.Unlock()
	return served
}

func connState(c net.Conn, s http.ConnState) {
	mu.Lock()
	defer mu.Unlock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(serverOpen, c)
	default:
		serverOpen[c] = s
	}
}

// serverConns is the number of open server connections (all idle after a burst).
func serverConns() int {
	mu.Lock()
	defer mu.Unlock()
	return len(serverOpen)
}

func allIdle() bool {
	mu.Lock()
	defer mu.Unlock()
	for _, s := range serverOpen {
		if s != http.StateIdle {
			return false
		}
	}
	return len(serverOpen) == clientConn.Open()+proxyConns
}

// burst sends real traffic and returns once every connection is idle again.
func burst() {
	load.Burst(clientWorkers, perWorker, func(w, i int) error {
		resp, err := client.Get("http://" + addr + "/items")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(ioutil.Discard, resp.Body)
		return err
	})
	load.Burst(proxyConns, 1, func(w, i int) error { return proxies[w].get() })
	load.WaitUntil("all API connections are idle", allIdle)
	time.Sleep(50 * time.Millisecond) // let the idle connections park in their reads
}

// get sends one keep-alive request on the proxy's own connection.
func (p *proxyConn) get() error {
	if _, err := fmt.Fprintf(p.c, "GET /items HTTP/1.1\r\nHost: %s\r\n\r\n", addr); err != nil {
		return err
	}
	resp, err := http.ReadResponse(p.r, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(ioutil.Discard, resp.Body)
	resp.Body.Close()
	return err
}
