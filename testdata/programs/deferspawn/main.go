// Command deferspawn starts goroutines from deferred calls, in three shapes,
// each at its own code site, all of which block forever:
//
//   - 25 requests whose deferred closure runs `go cleanup(...)`; cleanup
//     reports on a channel nobody reads any more (chan send),
//   - 5 sessions whose `defer startWatchers(n)` starts 5 watchers each,
//     selecting on channels nobody uses (select),
//   - 25 connections whose deferred closure starts a closure waiting for a
//     done channel that is never closed (chan receive).
package main

import (
	"gleak.test/programs/internal/fixture"
)

const (
	requests        = 25
	sessions        = 5
	watchersPerSess = 5
	conns           = 25
)

func main() {
	f := fixture.New("deferspawn")
	f.Expect(requests + sessions*watchersPerSess + conns)

	for i := 0; i < requests; i++ {
		handleRequest(f, i)
	}
	for i := 0; i < sessions; i++ {
		openSession(f, watchersPerSess)
	}
	for i := 0; i < conns; i++ {
		closeConn(f)
	}

	// Stack alone, a deferred spawn looks like whatever it blocks on; only
	// the source shows the defer around (or calling) the go statement.
	f.Kind(fixture.Kind{Name: "cleanup started by a deferred closure", Func: "main.cleanup",
		State: "chan send", Count: requests, CreatedBy: "main.handleRequest.func1", Leak: true,
		Pattern: "defer-spawned", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "watcher started by a deferred function call", Func: "main.watch",
		State: "select", Count: sessions * watchersPerSess, CreatedBy: "main.startWatchers", Leak: true,
		Pattern: "defer-spawned", StackOnly: "select-forever", Leaking: true})
	f.Kind(fixture.Kind{Name: "closure started inside a deferred closure", Func: "main.closeConn.func1.1",
		State: "chan receive", Count: conns, CreatedBy: "main.closeConn.func1", Leak: true,
		Pattern: "defer-spawned", StackOnly: "chan-recv", Leaking: true})
	f.Run()
}

// handleRequest hands its cleanup to a goroutine from a deferred closure;
// cleanup reports to results, which handleRequest no longer reads.
func handleRequest(f *fixture.F, id int) {
	results := make(chan int)
	defer func() {
		go cleanup(f, results, id)
	}()
}

func cleanup(f *fixture.F, results chan<- int, id int) {
	f.Started()
	results <- id
}

// openSession defers startWatchers, which starts n goroutines.
func openSession(f *fixture.F, n int) {
	defer startWatchers(f, n)
}

func startWatchers(f *fixture.F, n int) {
	events := make(chan int)
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		go watch(f, events, stop)
	}
}

func watch(f *fixture.F, events <-chan int, stop <-chan struct{}) {
	f.Started()
	for {
		select {
		case e := <-events:
			_ = e
		case <-stop:
			return
		}
	}
}

// closeConn waits for the flush in the background from a deferred closure;
// done is never closed.
func closeConn(f *fixture.F) {
	done := make(chan struct{})
	defer func() {
		go func() {
			f.Started()
			<-done
		}()
	}()
}
