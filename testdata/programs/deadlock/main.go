// Command deadlock ends in "fatal error: all goroutines are asleep -
// deadlock!": main waits on a WaitGroup while the workers wait for orders that
// nobody sends.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const workers = 3

func main() {
	f := fixture.New("deadlock")
	if f.Capture() != "deadlock" {
		fmt.Fprintf(os.Stderr, "deadlock: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	f.Producer = "deadlock" // the runtime proves every goroutine blocked for good
	f.Expect(workers)

	var wg sync.WaitGroup
	orders := make(chan int)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go worker(f, &wg, orders)
	}
	f.Settle()

	f.Kind(fixture.Kind{Name: "main goroutine waiting on the WaitGroup", Func: "main.main",
		State: fixture.WaitGroupState(), Count: 1,
		Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
	f.Kind(fixture.Kind{Name: "worker waiting for an order", Func: "main.worker",
		State: "chan receive", Count: workers, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	// The first goroutine printed is main in wg.Wait, not a running one:
	// nothing crashed.
	f.SetProducer(fixture.Producer{FatalError: "all goroutines are asleep - deadlock!"})
	f.WriteExpected(runtime.NumGoroutine(), false)
	wg.Wait()
}

func worker(f *fixture.F, wg *sync.WaitGroup, orders <-chan int) {
	defer wg.Done()
	f.Started()
	for o := range orders {
		_ = o
	}
}
