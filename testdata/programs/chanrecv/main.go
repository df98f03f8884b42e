// Command chanrecv parks goroutines on channel receives that can never
// proceed, each shape at its own code site:
//
//   - 60 consumers ranging over result channels that their producers
//     stopped sending on and never closed,
//   - 60 callers waiting for a single result that their worker never sends
//     (it returned early on an error, without sending or closing).
//
// (Receives from a nil channel are in the nilchan program.)
package main

import (
	"errors"

	"gleak.test/programs/internal/fixture"
)

const (
	consumers = 60
	callers   = 60
)

func main() {
	f := fixture.New("chanrecv")
	f.Expect(consumers + callers)

	for i := 0; i < consumers; i++ {
		results := make(chan int)
		go produce(results, 3)
		go collect(f, results)
	}
	for i := 0; i < callers; i++ {
		go awaitResult(f, -i-1)
	}

	f.Kind(fixture.Kind{Name: "range over a channel nobody closes", Func: "main.collect", State: "chan receive",
		Count: consumers, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "waiting for a result the worker never sends", Func: "main.awaitResult", State: "chan receive",
		Count: callers, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Run()
}

// produce sends n results and returns without closing the channel.
func produce(out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i
	}
	// BUG: no close(out)
}

func collect(f *fixture.F, results <-chan int) int {
	total, n := 0, 0
	for r := range results {
		total += r
		if n++; n == 3 {
			f.Started()
		}
	}
	return total
}

// awaitResult starts a worker for id and waits for its answer.
func awaitResult(f *fixture.F, id int) int {
	result := make(chan int)
	go compute(id, result)
	f.Started()
	return <-result
}

// compute returns early on a bad id without sending a result.
func compute(id int, result chan<- int) {
	if err := check(id); err != nil {
		return // BUG: the caller waits for a result forever
	}
	result <- id * 2
}

func check(id int) error {
	if id < 0 {
		return errors.New("bad id")
	}
	return nil
}
