// Command panic parks some goroutines and then panics in main. Run it with
// GOTRACEBACK=all to get every user goroutine in the crash output.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	orderWaiters = 4
	lockWaiters  = 2
)

var mu sync.Mutex

func main() {
	f := fixture.New("panic")
	if !strings.HasPrefix(f.Capture(), "panic") {
		fmt.Fprintf(os.Stderr, "panic: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	f.Expect(orderWaiters + lockWaiters)

	orders := make(chan int)
	for i := 0; i < orderWaiters; i++ {
		go waitForOrder(f, orders)
	}
	mu.Lock() // held by main until it dies
	for i := 0; i < lockWaiters; i++ {
		go lockContended(f)
	}
	f.Settle()

	f.Kind(fixture.Kind{Name: "waiting for an order", Func: "main.waitForOrder",
		State: "chan receive", Count: orderWaiters, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "blocked on a mutex held by main", Func: "main.lockContended",
		State: fixture.MutexState(), Count: lockWaiters, CreatedBy: "main.main",
		Pattern: "mutex", StackOnly: "mutex"})
	f.Kind(fixture.Kind{Name: "main goroutine panicking", Func: "main.explode",
		State: "running", Count: 1, Pattern: "not-blocked", StackOnly: "not-blocked"})
	n := runtime.NumGoroutine()
	f.SetProducer(fixture.Producer{PanicValues: []string{panicValue(n)}, CrashedGoroutine: fixture.GoroutineID()})
	f.WriteExpected(n, false)
	explode(n)
}

func waitForOrder(f *fixture.F, orders <-chan int) {
	f.Started()
	<-orders
}

func lockContended(f *fixture.F) {
	f.Started()
	mu.Lock()
	defer mu.Unlock()
}

func explode(n int) {
	panic(panicValue(n))
}

func panicValue(n int) string { return fmt.Sprintf("fixture panic with %d goroutines", n) }
