// Command waitgroup parks goroutines in sync.WaitGroup.Wait on a group that
// never reaches zero, because the workers that should call Done are stuck.
package main

import (
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	waiters = 6
	stuck   = 4
)

func main() {
	f := fixture.New("waitgroup")
	f.Expect(waiters + stuck)

	var wg sync.WaitGroup
	release := make(chan struct{}) // never closed
	for i := 0; i < stuck; i++ {
		wg.Add(1)
		go stuckWorker(f, &wg, release)
	}
	for i := 0; i < waiters; i++ {
		go waitAll(f, &wg)
	}

	f.Kind(fixture.Kind{Name: "waiting on a WaitGroup that never reaches zero", Func: "main.waitAll",
		State: fixture.WaitGroupState(), Count: waiters, CreatedBy: "main.main", Leak: true})
	f.Kind(fixture.Kind{Name: "worker stuck before wg.Done", Func: "main.stuckWorker",
		State: "chan receive", Count: stuck, CreatedBy: "main.main", Leak: true})
	f.Run()
}

func waitAll(f *fixture.F, wg *sync.WaitGroup) {
	f.Started()
	wg.Wait()
}

func stuckWorker(f *fixture.F, wg *sync.WaitGroup, release <-chan struct{}) {
	defer wg.Done()
	f.Started()
	<-release
}
