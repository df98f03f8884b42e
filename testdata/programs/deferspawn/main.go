// Command deferspawn starts goroutines from deferred calls: a deferred
// closure that runs `go cleanup()`, and a deferred call of a function that
// starts watcher goroutines. All of them block forever.
package main

import (
	"gleak.test/programs/internal/fixture"
)

const (
	requests        = 5
	sessions        = 2
	watchersPerSess = 4
)

func main() {
	f := fixture.New("deferspawn")
	f.Expect(requests + sessions*watchersPerSess)

	for i := 0; i < requests; i++ {
		handleRequest(f)
	}
	for i := 0; i < sessions; i++ {
		openSession(f, watchersPerSess)
	}

	f.Kind(fixture.Kind{Name: "cleanup started by a deferred closure", Func: "main.cleanup",
		State: "chan receive", Count: requests, CreatedBy: "main.handleRequest.func1", Leak: true})
	f.Kind(fixture.Kind{Name: "watcher started by a deferred function call", Func: "main.watch",
		State: "select", Count: sessions * watchersPerSess, CreatedBy: "main.startWatchers", Leak: true})
	f.Run()
}

// handleRequest hands its cleanup to a goroutine from a deferred closure.
func handleRequest(f *fixture.F) {
	flushed := make(chan struct{}) // never closed
	defer func() {
		go cleanup(f, flushed)
	}()
}

func cleanup(f *fixture.F, flushed <-chan struct{}) {
	f.Started()
	<-flushed
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
