// Command leakserver_moved (leakserver redeployed) leaks one goroutine per
// request: the handler of /work starts a goroutine that sends its result on
// an unbuffered channel nobody reads (main.leakyWork, chan send). Next to
// it run a steady pool of 4 workers idle on their queue and a ticker loop
// that keeps running. It serves net/http/pprof on -addr (127.0.0.1:0) like
// the other HTTP captures, so that snapshots taken between batches of
// requests show the leak growing while everything else stays put
// (capture "series" of testdata/regen).
package main

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"gleak.test/programs/internal/fixture"
)

const poolSize = 4

var (
	queue    = make(chan func()) // global: the pool is alive, not leaked
	requests int64               // /work requests served = leaked goroutines
)

func main() {
	f := fixture.New("leakserver_moved")
	f.Expect(poolSize + 1)

	for i := 0; i < poolSize; i++ {
		go worker(f)
	}
	go tickLoop(f, time.Minute)
	f.Handle("/work", http.HandlerFunc(handleWork))

	f.Kind(fixture.Kind{Name: "leaked by /work: result send nobody receives", Func: "main.leakyWork",
		State: "chan send", CreatedBy: "main.handleWork", Leak: true,
		CountFunc: func() int { return int(atomic.LoadInt64(&requests)) },
		Pattern:   "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "steady pool worker idle on the queue", Func: "main.worker",
		State: "chan receive", Count: poolSize, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "steady ticker loop (housekeeping)", Func: "main.tickLoop",
		State: "chan receive", Count: 1, CreatedBy: "main.main",
		// stack alone: the timer rule's name clause (tick) on a receive
		Pattern: "timer", StackOnly: "timer"})
	f.Note = "main.leakyWork grows by one per /work request; everything else is steady."
	f.Run()
}

func worker(f *fixture.F) {
	f.Started()
	for job := range queue {
		job()
	}
}

// tickLoop does housekeeping every period, for the life of the process.
func tickLoop(f *fixture.F, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	f.Started()
	for range t.C {
		housekeeping()
	}
}

func housekeeping() {}

// ---------------------------------------------------------------------
// leakserver_moved is leakserver "redeployed": the same code and the same
// function names, but these 15 comment and blank lines were inserted in
// front of the leaky handler, so handleWork and leakyWork (and only they)
// sit 15 lines further down than in leakserver/main.go. Capture
// "series_moved" of testdata/regen dumps it after 30 requests, for
// diffs that must match groups by function across a redeploy.
//
// Request handling: the handlers below run on the fixture's HTTP
// server, next to net/http/pprof. handleWork answers immediately; the
// work itself runs in the background, and, as in the previous version,
// nobody reads its result. (Previous version: leakserver/main.go.)
//
// ---------------------------------------------------------------------

// handleWork starts the work in the background and answers at once; the
// result channel is never read, so every request leaves one goroutine.
func handleWork(w http.ResponseWriter, r *http.Request) {
	results := make(chan int)
	running := make(chan struct{})
	go leakyWork(results, running)
	<-running
	atomic.AddInt64(&requests, 1)
	io.WriteString(w, "accepted\n")
}

func leakyWork(results chan<- int, running chan<- struct{}) {
	v := compute()
	close(running)
	results <- v
}

func compute() int { return 42 }
