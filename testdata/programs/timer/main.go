// Command timer parks goroutines in timer-driven code: ticker loops whose
// ticker is never stopped, goroutines in a one-hour time.Sleep and
// time.AfterFunc callbacks that block.
package main

import (
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	tickerLoops = 5
	sleepers    = 4
	callbacks   = 3
)

// quit is never closed.
var quit = make(chan struct{})

func main() {
	f := fixture.New("timer")
	f.Expect(tickerLoops + sleepers + callbacks)

	for i := 0; i < tickerLoops; i++ {
		go pollForever(f, time.Hour)
	}
	for i := 0; i < sleepers; i++ {
		go sleepLong(f)
	}
	blocked := make(chan struct{})
	for i := 0; i < callbacks; i++ {
		time.AfterFunc(time.Millisecond, func() { onTimer(f, blocked) })
	}

	f.Kind(fixture.Kind{Name: "ticker loop never stopped", Func: "main.pollForever", State: "select",
		Count: tickerLoops, CreatedBy: "main.main"})
	f.Kind(fixture.Kind{Name: "sleeping for an hour", Func: "main.sleepLong", State: "sleep",
		Count: sleepers, CreatedBy: "main.main"})
	f.Kind(fixture.Kind{Name: "AfterFunc callback blocked", Func: "main.onTimer", State: "chan receive",
		Count: callbacks, CreatedBy: "time.goFunc", Leak: true})
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

func sleepLong(f *fixture.F) {
	f.Started()
	time.Sleep(time.Hour)
}

func onTimer(f *fixture.F, done <-chan struct{}) {
	f.Started()
	<-done
}
