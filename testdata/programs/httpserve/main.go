// Command httpserve piles up net/http goroutines in three shapes:
//
//   - idle keep-alive server connections: an http.Server without
//     IdleTimeout (or any timeout) and 20 clients that each made one request
//     on a keep-alive connection and keep it open (plain TCP clients, so
//     they add no goroutines of their own): 20 server goroutines
//     net/http.(*conn).serve waiting for the next request;
//   - client response bodies never closed: 20 requests through one
//     http.Client whose callers read the status and drop the response
//     without closing the body. Each connection keeps its client readLoop
//     (waiting for the body to be read or closed) and writeLoop. The server
//     answers these with "Connection: close", so it keeps nothing for them;
//   - httptest-style servers started and never shut down: 20
//     httptest.NewServer whose Close is never called, each leaving its
//     (*Server).Serve accept loop.
//
// The application server's own accept loop (main.runServer) is a healthy
// single listener.
package main

import (
	"bufio"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"net/http/httptest"

	"gleak.test/programs/internal/fixture"
)

const (
	idleClients   = 20 // keep-alive connections left open by their clients
	unclosed      = 20 // client responses whose body is never closed
	testServers   = 20 // httptest servers never closed
	requestsTotal = idleClients + unclosed
)

var (
	idleConns  []net.Conn         // kept open, idle
	testSrvs   []*httptest.Server // never closed
	lastStatus int
)

func main() {
	f := fixture.New("httpserve")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/keep", hello)
	mux.HandleFunc("/close", helloAndClose)
	srv := &http.Server{Handler: mux} // no IdleTimeout, no timeouts at all
	go runServer(srv, ln)
	addr := ln.Addr().String()

	for i := 0; i < idleClients; i++ {
		idleConns = append(idleConns, keepAliveRequest(addr))
	}
	client := &http.Client{Transport: &http.Transport{}}
	for i := 0; i < unclosed; i++ {
		lastStatus = fetchStatus(client, "http://"+addr+"/close")
	}
	for i := 0; i < testServers; i++ {
		testSrvs = append(testSrvs, startTestServer())
	}

	f.Kind(fixture.Kind{Name: "application server accept loop", Func: "main.runServer",
		State: "IO wait", Count: 1, CreatedBy: "main.main",
		Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "server conn idle on a keep-alive connection (no IdleTimeout)",
		Func: "net/http.(*connReader).Read", State: "IO wait", Count: idleClients, CreatedBy: "net/http.(*Server).Serve",
		Pattern: "http-serve", StackOnly: "http-serve", Leaking: true})
	f.Kind(fixture.Kind{Name: "client readLoop waiting for a response body nobody closes",
		Func: "net/http.(*persistConn).readLoop", State: "select", Count: unclosed, CreatedBy: "net/http.(*Transport).dialConn",
		// debug=1: the net/http.(*persistConn).readLoop frame is printed
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve", Leaking: true})
	f.Kind(fixture.Kind{Name: "client writeLoop of a connection whose body is never closed",
		Func: "net/http.(*persistConn).writeLoop", State: "select", Count: unclosed, CreatedBy: "net/http.(*Transport).dialConn",
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve", Leaking: true})
	f.Kind(fixture.Kind{Name: "httptest server never closed: accept loop",
		Func: "net/http/httptest.(*Server).goServe.func1", State: "IO wait", Count: testServers,
		CreatedBy: "net/http/httptest.(*Server).goServe",
		Pattern:   "http-serve", StackOnly: "http-serve", Leaking: true})
	f.Run()
}

func runServer(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil {
		panic(err)
	}
}

func hello(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "hello\n")
}

// helloAndClose answers and closes the connection on the server side.
func helloAndClose(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	io.WriteString(w, "hello\n")
}

// keepAliveRequest makes one HTTP/1.1 request on a new TCP connection,
// reads the whole response and leaves the connection open, as a client
// that keeps its connection for later would.
func keepAliveRequest(addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(c, "GET /keep HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	ioutil.ReadAll(resp.Body)
	resp.Body.Close()
	return c
}

// fetchStatus returns the status code and drops the response: the body is
// neither read nor closed.
func fetchStatus(c *http.Client, url string) int {
	resp, err := c.Get(url)
	if err != nil {
		panic(err)
	}
	return resp.StatusCode // BUG: resp.Body never closed
}

// startTestServer starts a test server the way a test helper would, and
// nobody calls Close.
func startTestServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(hello))
}
