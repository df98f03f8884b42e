// Command chansend parks goroutines on channel sends that nobody will ever
// receive, in three shapes, each at its own code site:
//
//   - 100 senders on an unbuffered channel its creator dropped (no receiver
//     ever existed),
//   - 25 workers whose caller gave up after a timeout (the classic abandoned
//     result channel),
//   - 30 pipeline producers that outlived their consumer (it took the first
//     value and returned on an error),
//
// and 3 healthy consumers waiting on a live global queue. (Sends on a nil
// channel are in the nilchan program.)
package main

import (
	"errors"
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	blockedSenders   = 100
	abandonedSenders = 25
	pipelines        = 30
	consumers        = 3
)

// jobs is global: the healthy consumers stay reachable and are not leaks.
var jobs = make(chan int)

var errTimeout = errors.New("timeout")

func main() {
	f := fixture.New("chansend")
	f.Expect(blockedSenders + abandonedSenders + pipelines + consumers)

	startSenders(f, blockedSenders)
	for i := 0; i < abandonedSenders; i++ {
		if _, err := fetchWithTimeout(f, 5*time.Millisecond); err != errTimeout {
			panic("expected a timeout")
		}
	}
	for i := 0; i < pipelines; i++ {
		if _, err := firstValid(f, i); err == nil {
			panic("expected an error")
		}
	}
	for i := 0; i < consumers; i++ {
		go consumer(f)
	}

	f.Kind(fixture.Kind{Name: "blocked unbuffered send", Func: "main.sendForever", State: "chan send",
		Count: blockedSenders, CreatedBy: "main.startSenders", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "result channel abandoned after a timeout", Func: "main.fetchWithTimeout.func1", State: "chan send",
		Count: abandonedSenders, CreatedBy: "main.fetchWithTimeout", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "producer outliving its consumer", Func: "main.produce", State: "chan send",
		Count: pipelines, CreatedBy: "main.generate", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "healthy consumer waiting for jobs", Func: "main.consumer", State: "chan receive",
		Count: consumers, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
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

// generate starts a producer of n, n+1, ... on an unbuffered channel.
func generate(f *fixture.F, n int) <-chan int {
	out := make(chan int)
	go produce(f, n, out)
	return out
}

// produce never learns that its consumer is gone: it blocks on the next send.
func produce(f *fixture.F, n int, out chan<- int) {
	out <- n
	f.Started()
	for i := n + 1; ; i++ {
		out <- i
	}
}

// firstValid reads values until one is valid, but gives up on the first
// invalid one and returns without draining or stopping the producer.
func firstValid(f *fixture.F, n int) (int, error) {
	for v := range generate(f, n) {
		if v >= 0 {
			return 0, errors.New("invalid value") // producer left behind
		}
		return v, nil
	}
	return 0, errors.New("no values")
}

func consumer(f *fixture.F) {
	f.Started()
	for j := range jobs {
		_ = j
	}
}
