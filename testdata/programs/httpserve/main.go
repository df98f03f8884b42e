// Command httpserve runs an http.Server without timeouts on 127.0.0.1 and an
// http.Client in the same process that leaves keep-alive connections open:
// some responses are read and closed (the connection goes back to the idle
// pool), some bodies are never closed by a goroutine that then blocks. Each
// connection keeps a server goroutine in net/http.(*conn).serve and a client
// readLoop/writeLoop pair alive.
package main

import (
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	idleConns     = 6 // body read and closed: connection idle in the pool
	unclosedConns = 3 // body never closed
	conns         = idleConns + unclosedConns
)

var (
	gate    = make(chan struct{}) // holds every handler until all requests arrived
	arrived sync.WaitGroup
	held    []*http.Response // bodies that are never closed
	heldMu  sync.Mutex
	forever = make(chan struct{})
)

func main() {
	f := fixture.New("httpserve")
	f.Expect(unclosedConns)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(hello)} // no timeouts at all
	go runServer(srv, ln)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	url := "http://" + ln.Addr().String() + "/"
	arrived.Add(conns)
	var done sync.WaitGroup
	done.Add(idleConns)
	for i := 0; i < idleConns; i++ {
		go fetchAndClose(client, url, &done)
	}
	for i := 0; i < unclosedConns; i++ {
		go fetchAndForget(f, client, url)
	}
	arrived.Wait() // one connection per request
	close(gate)
	done.Wait()

	f.Kind(fixture.Kind{Name: "application server accept loop", Func: "main.runServer",
		State: "IO wait", Count: 1, CreatedBy: "main.main"})
	f.Kind(fixture.Kind{Name: "server conn waiting for the next request on an idle keep-alive connection",
		Func: "net/http.(*connReader).Read", State: "IO wait", Count: conns, CreatedBy: "net/http.(*Server).Serve"})
	f.Kind(fixture.Kind{Name: "client persistConn writeLoop", Func: "net/http.(*persistConn).writeLoop",
		State: "select", Count: conns, CreatedBy: "net/http.(*Transport).dialConn"})
	f.Kind(fixture.Kind{Name: "client persistConn readLoop of an idle pooled connection", Func: "net/http.(*persistConn).Read",
		State: "IO wait", Count: idleConns, CreatedBy: "net/http.(*Transport).dialConn"})
	f.Kind(fixture.Kind{Name: "client goroutine holding a response body it never closes", Func: "main.fetchAndForget",
		State: "chan receive", Count: unclosedConns, CreatedBy: "main.main"})
	f.Note = fmt.Sprintf("The %d client readLoops of the connections whose body is never closed wait in "+
		"net/http.(*persistConn).readLoop itself (state select) and have no function of their own, "+
		"so they are not listed as a kind; all %d readLoops contain net/http.(*persistConn).readLoop.",
		unclosedConns, conns)
	f.Run()
}

func runServer(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil {
		panic(err)
	}
}

func hello(w http.ResponseWriter, r *http.Request) {
	arrived.Done()
	<-gate
	io.WriteString(w, "hello\n")
}

func fetchAndClose(c *http.Client, url string, done *sync.WaitGroup) {
	defer done.Done()
	resp, err := c.Get(url)
	if err != nil {
		panic(err)
	}
	ioutil.ReadAll(resp.Body)
	resp.Body.Close()
}

// fetchAndForget keeps the response without reading or closing its body and
// then waits forever, pinning the connection.
func fetchAndForget(f *fixture.F, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		panic(err)
	}
	heldMu.Lock()
	held = append(held, resp)
	heldMu.Unlock()
	f.Started()
	<-forever
}
