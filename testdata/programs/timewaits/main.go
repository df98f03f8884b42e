// Command timewaits leaks goroutines in the time package's waits, each
// shape at its own site:
//
//   - main.retryForever: `<-time.After(time.Hour)` in a retry loop whose
//     operation never succeeds (chan receive; only the source shows the
//     timer);
//   - main.awaitDeadline: `<-t.C` of a time.NewTimer(time.Hour) that
//     nobody stops (chan receive);
//   - main.drainQueue: `for range t.C` over a ticker nobody stops (chan
//     receive, neutral name);
//   - main.backoff: time.Sleep(time.Hour) in a loop (sleep).
package main

import (
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	retriers  = 25
	deadlines = 20
	drainers  = 20
	sleepers  = 20
)

var attempts int

func main() {
	f := fixture.New("timewaits")
	f.Expect(retriers + deadlines + drainers + sleepers)
	for i := 0; i < retriers; i++ {
		go retryForever(f)
	}
	for i := 0; i < deadlines; i++ {
		go awaitDeadline(f)
	}
	for i := 0; i < drainers; i++ {
		go drainQueue(f)
	}
	for i := 0; i < sleepers; i++ {
		go backoff(f)
	}
	f.Kind(fixture.Kind{Name: "retry loop waiting on <-time.After(time.Hour)", Func: "main.retryForever",
		State: "chan receive", Count: retriers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "waiting on <-t.C of a one-hour timer", Func: "main.awaitDeadline",
		State: "chan receive", Count: deadlines, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "for range over a ticker nobody stops", Func: "main.drainQueue",
		State: "chan receive", Count: drainers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "time.Sleep(time.Hour) back-off loop", Func: "main.backoff",
		State: "sleep", Count: sleepers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "timer", Leaking: true})
	f.Run()
}

func try() bool { attempts++; return false }

func retryForever(f *fixture.F) {
	f.Started()
	for !try() {
		<-time.After(time.Hour)
	}
}

func awaitDeadline(f *fixture.F) {
	t := time.NewTimer(time.Hour)
	f.Started()
	<-t.C
}

func drainQueue(f *fixture.F) {
	t := time.NewTicker(time.Hour)
	f.Started()
	for range t.C {
		try()
	}
}

func backoff(f *fixture.F) {
	f.Started()
	for !try() {
		time.Sleep(time.Hour)
	}
}
