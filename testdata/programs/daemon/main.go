// Command daemon is a healthy daemon whose main goroutine, once everything
// is started, parks itself forever with `select {}`, as many long-running
// programs end main. Nothing leaks:
//
//   - main.main — select (no cases) — 1 (the daemon's deliberate park),
//   - main.worker — chan receive — 4 (an idle pool on a global queue).
package main

import "gleak.test/programs/internal/fixture"

const workers = 4

var queue = make(chan func()) // global: the pool is reachable

func main() {
	f := fixture.New("daemon")
	f.Expect(workers)
	for i := 0; i < workers; i++ {
		go worker(f)
	}
	f.Kind(fixture.Kind{Name: "idle pool worker", Func: "main.worker", State: "chan receive",
		Count: workers, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Start(fixture.Kind{Name: "main parked by select {}", Func: "main.main",
		State: "select (no cases)", Count: 1, Pattern: "main-select", StackOnly: "main-select"})
	select {}
}

func worker(f *fixture.F) {
	f.Started()
	for job := range queue {
		job()
	}
}
