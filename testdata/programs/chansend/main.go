// Command chansend parks goroutines on channel sends that nobody will ever
// receive: 100 senders on a dropped unbuffered channel, 7 workers whose caller
// gave up after a timeout (the classic abandoned result channel), and a few
// healthy consumers waiting on a live queue.
package main

import (
	"errors"
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	blockedSenders   = 100
	abandonedSenders = 7
	consumers        = 3
)

// jobs is global: the healthy consumers stay reachable and are not leaks.
var jobs = make(chan int)

var errTimeout = errors.New("timeout")

func main() {
	f := fixture.New("chansend")
	f.Expect(blockedSenders + abandonedSenders + consumers)

	startSenders(f, blockedSenders)
	for i := 0; i < abandonedSenders; i++ {
		if _, err := fetchWithTimeout(f, 5*time.Millisecond); err != errTimeout {
			panic("expected a timeout")
		}
	}
	for i := 0; i < consumers; i++ {
		go consumer(f)
	}

	f.Kind(fixture.Kind{Name: "blocked unbuffered send", Func: "main.sendForever", State: "chan send",
		Count: blockedSenders, CreatedBy: "main.startSenders", Leak: true})
	f.Kind(fixture.Kind{Name: "result channel abandoned after a timeout", Func: "main.fetchWithTimeout.func1", State: "chan send",
		Count: abandonedSenders, CreatedBy: "main.fetchWithTimeout", Leak: true})
	f.Kind(fixture.Kind{Name: "healthy consumer waiting for jobs", Func: "main.consumer", State: "chan receive",
		Count: consumers, CreatedBy: "main.main"})
	f.Run()
}

// startSenders starts n goroutines that send on a channel nobody receives from.
func startSenders(f *fixture.F, n int) {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go sendForever(f, ch, i)
	}
}

func sendForever(f *fixture.F, ch chan<- int, v int) {
	f.Started()
	ch <- v
}

// fetchWithTimeout returns errTimeout when the lookup is slow, abandoning the
// unbuffered result channel: the worker then blocks on its send forever.
func fetchWithTimeout(f *fixture.F, timeout time.Duration) (int, error) {
	result := make(chan int)
	go func() {
		v := slowLookup()
		f.Started()
		result <- v
	}()
	select {
	case v := <-result:
		return v, nil
	case <-time.After(timeout):
		return 0, errTimeout
	}
}

func slowLookup() int {
	time.Sleep(50 * time.Millisecond)
	return 42
}

func consumer(f *fixture.F) {
	f.Started()
	for j := range jobs {
		_ = j
	}
}
