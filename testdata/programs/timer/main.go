// Command timer parks goroutines in timer-driven code that never stops, in
// four shapes, each at its own code site:
//
//   - 25 ticker loops whose ticker is never stopped, selecting on t.C and a
//     quit channel that is never closed (a function named like a poller),
//   - 20 ticker loops ranging over t.C (no way out at all; a neutral name,
//     so only the source shows the ticker),
//   - 25 polling loops around time.Sleep waiting for a condition that never
//     becomes true,
//   - 25 time.AfterFunc callbacks that block (created by time.goFunc).
package main

import (
	"sync/atomic"
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	tickerLoops = 25
	rangeLoops  = 20
	sleepPolls  = 25
	callbacks   = 25
)

// quit is never closed.
var quit = make(chan struct{})

// ready is never set.
var ready atomic.Bool

func main() {
	f := fixture.New("timer")
	f.Expect(tickerLoops + rangeLoops + sleepPolls + callbacks)

	for i := 0; i < tickerLoops; i++ {
		go pollForever(f, time.Hour)
	}
	for i := 0; i < rangeLoops; i++ {
		go publishStats(f, time.Hour)
	}
	for i := 0; i < sleepPolls; i++ {
		go waitUntilReady(f)
	}
	blocked := make(chan struct{})
	for i := 0; i < callbacks; i++ {
		time.AfterFunc(time.Millisecond, func() { onTimer(f, blocked) })
	}

	f.Kind(fixture.Kind{Name: "ticker loop never stopped (select on t.C)", Func: "main.pollForever", State: "select",
		Count: tickerLoops, CreatedBy: "main.main",
		// stack alone: a select like any other; only the source shows t.C
		Pattern: "timer", StackOnly: "select-forever", Leaking: true})
	f.Kind(fixture.Kind{Name: "ticker loop never stopped (range over t.C)", Func: "main.publishStats", State: "chan receive",
		Count: rangeLoops, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "time.Sleep polling loop", Func: "main.waitUntilReady", State: "sleep",
		Count: sleepPolls, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "timer", Leaking: true})
	f.Kind(fixture.Kind{Name: "AfterFunc callback blocked", Func: "main.onTimer", State: "chan receive",
		Count: callbacks, CreatedBy: "time.goFunc", Leak: true,
		// debug=1 has no "created by" (time.goFunc starts the callback
		// with a go statement, so it is no frame): only a chan receive
		Pattern: "timer", StackOnly: "timer", Leaking: true})
	f.Run()
}

// pollForever polls on a ticker that is never stopped; quit never comes.
func pollForever(f *fixture.F, every time.Duration) {
	t := time.NewTicker(every)
	f.Started()
	for {
		select {
		case <-t.C:
			poll()
		case <-quit:
			return
		}
	}
}

func poll() {}

// publishStats publishes on every tick, forever: nothing stops the ticker.
func publishStats(f *fixture.F, every time.Duration) {
	t := time.NewTicker(every)
	f.Started()
	for range t.C {
		poll()
	}
}

// waitUntilReady polls a flag that is never set.
func waitUntilReady(f *fixture.F) {
	f.Started()
	for !ready.Load() {
		time.Sleep(time.Hour)
	}
}

func onTimer(f *fixture.F, done <-chan struct{}) {
	f.Started()
	<-done
}
