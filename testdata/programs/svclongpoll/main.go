// Command svclongpoll serves long polls and server-sent events, healthy,
// under real load, then idle:
//
//   - /poll: 20 handlers parked in a select on the current notify channel,
//     r.Context().Done() and a 60-second timeout (main.longPoll), each
//     answered when the next update is published; the client then polls
//     again at once;
//   - /events: 20 server-sent-event streams, each handler in a select loop
//     on its event channel, a keep-alive ticker and r.Context().Done()
//     (main.events), writing every event it is given.
//
// The clients are plain keep-alive TCP connections of this process (no
// goroutines of their own). Each in-flight request also has its net/http
// background read, counted with the fixture's (see fixture.F.BackgroundReads).
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each publishes 10 updates: every long poll is answered and
// renewed, every stream gets and delivers the event.
package main

import (
	"bufio"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	pollClients   = 20
	streamClients = 20
	updates       = 10 // per burst
	pollTimeout   = 60 * time.Second
)

var (
	addr string

	mu      sync.Mutex
	notify  = make(chan struct{}) // closed and replaced on every update
	streams = map[chan string]bool{}
	version int

	parkedPolls int64
	openStreams int64

	polls   []*rawClient
	readers []*rawClient
)

type rawClient struct {
	c    net.Conn
	r    *bufio.Reader
	body *bufio.Reader // event stream body
}

func main() {
	f := fixture.New("svclongpoll")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/poll", longPoll)
	mux.HandleFunc("/events", events)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
	go serveApp(srv, ln)

	for i := 0; i < pollClients; i++ {
		c := dial()
		c.send("/poll")
		polls = append(polls, c)
	}
	for i := 0; i < streamClients; i++ {
		c := dial()
		c.send("/events")
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil {
			panic(err)
		}
		c.body = bufio.NewReader(resp.Body)
		readers = append(readers, c)
	}
	waitParked()
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.BackgroundReads = func() int { return int(atomic.LoadInt64(&parkedPolls) + atomic.LoadInt64(&openStreams)) }

	f.Kind(fixture.Kind{Name: "application server accept loop", Func: "main.serveApp",
		State: "IO wait", Count: 1, CreatedBy: "main.main", Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "long-poll handler parked in its select (notify, request context, 60 s timeout)",
		Func: "main.longPoll", State: "select", Count: pollClients, CreatedBy: "net/http.(*Server).Serve",
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve"})
	f.Kind(fixture.Kind{Name: "server-sent-events handler in its select loop (events, keep-alive ticker, request context)",
		Func: "main.events", State: "select", Count: streamClients, CreatedBy: "net/http.(*Server).Serve",
		Pattern: "http-serve", StackOnly: "http-serve", StackOnlyDebug1: "http-serve"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 10 updates (each answering and " +
		"renewing every long poll and delivering an event on every stream); the handlers are within their timeouts. " +
		"The kind net/http.(*connReader).backgroundRead counts the dump request's background read plus one per " +
		"in-flight long poll and stream (" + fmt.Sprint(pollClients+streamClients) + ")."
	f.Run()
}

func serveApp(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil {
		panic(err)
	}
}

func longPoll(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	ch, v := notify, version
	mu.Unlock()
	atomic.AddInt64(&parkedPolls, 1)
	select {
	case <-ch:
		atomic.AddInt64(&parkedPolls, -1)
		mu.Lock()
		v = version
		mu.Unlock()
		fmt.Fprintf(w, "version %d\n", v)
	case <-r.Context().Done():
		atomic.AddInt64(&parkedPolls, -1)
	case <-time.After(pollTimeout):
		atomic.AddInt64(&parkedPolls, -1)
		w.WriteHeader(http.StatusNoContent)
	}
}

func events(w http.ResponseWriter, r *http.Request) {
	fl := w.(http.Flusher)
	ch := make(chan string, 16)
	mu.Lock()
	streams[ch] = true
	mu.Unlock()
	defer func() {
		mu.Lock()
		delete(streams, ch)
		mu.Unlock()
	}()
	keepAlive := time.NewTicker(time.Minute)
	defer keepAlive.Stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	atomic.AddInt64(&openStreams, 1)
	defer atomic.AddInt64(&openStreams, -1)
	for {
		select {
		case ev := <-ch:
			fmt.Fprintf(w, "data: %s\n\n", ev)
			fl.Flush()
		case <-keepAlive.C:
			io.WriteString(w, ": keep-alive\n\n")
			fl.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// publish wakes every long poll and sends an event to every stream.
func publish() {
	mu.Lock()
	defer mu.Unlock()
	version++
	close(notify)
	notify = make(chan struct{})
	for ch := range streams {
		ch <- fmt.Sprintf("version %d", version)
	}
}

func burst() {
	for u := 0; u < updates; u++ {
		publish()
		load.Burst(pollClients, 1, func(w, i int) error {
			c := polls[w]
			resp, err := http.ReadResponse(c.r, nil)
			if err != nil {
				return err
			}
			io.Copy(ioutil.Discard, resp.Body)
			resp.Body.Close()
			return c.send("/poll")
		})
		load.Burst(streamClients, 1, func(w, i int) error {
			line, err := readers[w].body.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, "data: version") {
				return fmt.Errorf("unexpected event line %q", line)
			}
			_, err = readers[w].body.ReadString('\n') // the blank line ending the event
			return err
		})
		waitParked()
	}
}

func waitParked() {
	load.WaitUntil("every long poll and stream is parked", func() bool {
		mu.Lock()
		n := len(streams)
		mu.Unlock()
		return atomic.LoadInt64(&parkedPolls) == pollClients && n == streamClients &&
			atomic.LoadInt64(&openStreams) == streamClients
	})
	time.Sleep(20 * time.Millisecond)
}

func dial() *rawClient {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	return &rawClient{c: c, r: bufio.NewReader(c)}
}

func (c *rawClient) send(path string) error {
	_, err := fmt.Fprintf(c.c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr)
	return err
}
