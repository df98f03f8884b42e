// Command waitgroup parks goroutines in sync.WaitGroup.Wait on groups that
// never reach zero, in three shapes, each at its own code site:
//
//   - 20 batch handlers waiting for workers of which one returned early
//     without calling Done (Done is not deferred),
//   - 20 fan-outs that Add(len(shards)) but start goroutines only for the
//     non-empty shards,
//   - 20 waiters on workers that are themselves blocked (3 per waiter, 60
//     workers stuck on a channel receive before their deferred Done).
package main

import (
	"errors"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	batches          = 20
	fanOuts          = 20
	waiters          = 20
	workersPerWaiter = 3
	stuck            = waiters * workersPerWaiter
)

func main() {
	f := fixture.New("waitgroup")
	f.Expect(batches + fanOuts + waiters + stuck)

	for i := 0; i < batches; i++ {
		go handleBatch(f, []int{1, 2, -3})
	}
	for i := 0; i < fanOuts; i++ {
		go fanOut(f, [][]int{{1}, nil, {2, 3}})
	}
	release := make(chan struct{}) // never closed
	for i := 0; i < waiters; i++ {
		var wg sync.WaitGroup
		for j := 0; j < workersPerWaiter; j++ {
			wg.Add(1)
			go stuckWorker(f, &wg, release)
		}
		go waitAll(f, &wg)
	}

	wgState := fixture.WaitGroupState()
	f.Kind(fixture.Kind{Name: "Wait after a worker returned early without Done", Func: "main.handleBatch",
		State: wgState, Count: batches, CreatedBy: "main.main", Leak: true,
		Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
	f.Kind(fixture.Kind{Name: "Wait after Add(n) with fewer goroutines started", Func: "main.fanOut",
		State: wgState, Count: fanOuts, CreatedBy: "main.main", Leak: true,
		Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
	f.Kind(fixture.Kind{Name: "Wait on workers that are blocked themselves", Func: "main.waitAll",
		State: wgState, Count: waiters, CreatedBy: "main.main", Leak: true,
		Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
	f.Kind(fixture.Kind{Name: "worker stuck before its deferred wg.Done", Func: "main.stuckWorker",
		State: "chan receive", Count: stuck, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Run()
}

// handleBatch processes items in parallel; process returns early on a
// negative item and skips wg.Done, so Wait never returns.
func handleBatch(f *fixture.F, items []int) {
	var wg sync.WaitGroup
	var started sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		started.Add(1)
		go process(&wg, &started, it)
	}
	started.Wait()
	f.Started()
	wg.Wait()
}

func process(wg *sync.WaitGroup, started *sync.WaitGroup, item int) {
	started.Done()
	if err := validate(item); err != nil {
		return // BUG: no wg.Done on this path
	}
	wg.Done()
}

func validate(item int) error {
	if item < 0 {
		return errors.New("negative item")
	}
	return nil
}

// fanOut adds one per shard but starts workers for non-empty shards only.
func fanOut(f *fixture.F, shards [][]int) {
	var wg sync.WaitGroup
	wg.Add(len(shards))
	for _, s := range shards {
		if len(s) == 0 {
			continue // BUG: Add counted this shard
		}
		go sum(&wg, s)
	}
	f.Started()
	wg.Wait()
}

func sum(wg *sync.WaitGroup, s []int) {
	defer wg.Done()
	t := 0
	for _, v := range s {
		t += v
	}
	_ = t
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
