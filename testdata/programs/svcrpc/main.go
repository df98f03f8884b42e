// Command svcrpc is a healthy multiplexed RPC server under real load, then
// idle: each of 50 client connections has a reader goroutine (reading the
// next request line, IO wait between requests) and a writer goroutine (a
// select on the connection's outgoing queue and its done channel); every
// request runs in a short-lived handler goroutine that queues its reply.
// The clients are plain TCP connections of this process, each pipelining
// 20 requests per burst and reading the replies, which come back in any
// order (multiplexed by request id).
//
// Bursts: three before READY, one more per request to /load on the fixture
// server.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	clients  = 50
	pipeline = 20 // requests per client and burst
)

type rpcConn struct {
	c    net.Conn
	out  chan string
	done chan struct{}
}

type client struct {
	c net.Conn
	r *bufio.Reader
}

var (
	rpcClients []*client
	fx         *fixture.F
)

func main() {
	f := fixture.New("svcrpc")
	fx = f
	f.Expect(2 * clients)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go acceptRPC(ln)
	for i := 0; i < clients; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		rpcClients = append(rpcClients, &client{c: c, r: bufio.NewReader(c)})
	}
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.Kind(fixture.Kind{Name: "RPC accept loop", Func: "main.acceptRPC", State: "IO wait", Count: 1,
		CreatedBy: "main.main", Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "per-connection reader waiting for the next request",
		Func: "main.(*rpcConn).readLoop", State: "IO wait", Count: clients, CreatedBy: "main.acceptRPC",
		Pattern: "io", StackOnly: "io"})
	f.Kind(fixture.Kind{Name: "per-connection writer: select on the reply queue and done",
		Func: "main.(*rpcConn).writeLoop", State: "select", Count: clients, CreatedBy: "main.acceptRPC",
		Pattern: "select-forever", StackOnly: "select-forever"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 50 clients x 20 pipelined requests."
	f.Run()
}

func acceptRPC(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		rc := &rpcConn{c: c, out: make(chan string, 64), done: make(chan struct{})}
		go rc.readLoop()
		go rc.writeLoop()
	}
}

func (rc *rpcConn) readLoop() {
	defer close(rc.done)
	r := bufio.NewReader(rc.c)
	fx.Started()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		go rc.handle(strings.TrimSpace(line))
	}
}

// handle runs one request: "ID add A B" -> "ID A+B".
func (rc *rpcConn) handle(req string) {
	p := strings.Fields(req)
	reply := p[0] + " error"
	if len(p) == 4 && p[1] == "add" {
		a, _ := strconv.Atoi(p[2])
		b, _ := strconv.Atoi(p[3])
		reply = p[0] + " " + strconv.Itoa(a+b)
	}
	select {
	case rc.out <- reply + "\n":
	case <-rc.done:
	}
}

func (rc *rpcConn) writeLoop() {
	w := bufio.NewWriter(rc.c)
	fx.Started()
	for {
		select {
		case s := <-rc.out:
			w.WriteString(s)
			if len(rc.out) == 0 {
				w.Flush()
			}
		case <-rc.done:
			return
		}
	}
}

func burst() {
	load.Burst(clients, 1, func(w, _ int) error {
		c := rpcClients[w]
		for i := 0; i < pipeline; i++ {
			if _, err := fmt.Fprintf(c.c, "%d add %d %d\n", i, i, w); err != nil {
				return err
			}
		}
		seen := map[string]bool{}
		for len(seen) < pipeline {
			line, err := c.r.ReadString('\n')
			if err != nil {
				return err
			}
			p := strings.Fields(line)
			id, _ := strconv.Atoi(p[0])
			if len(p) != 2 || p[1] != strconv.Itoa(id+w) {
				return fmt.Errorf("bad reply %q", line)
			}
			seen[p[0]] = true
		}
		return nil
	})
	time.Sleep(50 * time.Millisecond) // let the handlers exit and the loops park
}
