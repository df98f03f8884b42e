// Command deadlockmany ends in "fatal error: all goroutines are asleep -
// deadlock!" with several kinds blocked: main waits on a WaitGroup for
// workers that never finish, 3 consumers wait for orders nobody sends, 2
// producers send results nobody receives, 2 goroutines queue on a mutex main
// holds, 1 waits on a Cond nobody signals and 1 selects on two dead
// channels. The runtime's detector proves every one of them blocked for
// good, so every kind is a suspect whatever its size.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	consumers = 3
	producers = 2
	lockers   = 2
)

func main() {
	f := fixture.New("deadlockmany")
	if f.Capture() != "deadlock" {
		fmt.Fprintf(os.Stderr, "deadlockmany: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	f.Producer = "deadlock"
	f.SetProducer(fixture.Producer{FatalError: "all goroutines are asleep - deadlock!"})
	var wg sync.WaitGroup
	orders, results := make(chan int), make(chan int)
	var mu sync.Mutex
	mu.Lock() // held by main while it waits: the lockers never get it
	cond := sync.NewCond(&sync.Mutex{})
	f.Expect(consumers + producers + lockers + 2)
	for i := 0; i < consumers; i++ {
		wg.Add(1)
		go consumer(f, &wg, orders)
	}
	for i := 0; i < producers; i++ {
		wg.Add(1)
		go producer(f, &wg, results, i)
	}
	for i := 0; i < lockers; i++ {
		wg.Add(1)
		go locker(f, &wg, &mu)
	}
	wg.Add(2)
	go waitSignal(f, &wg, cond)
	go selector(f, &wg, orders, results)
	f.Settle()

	f.Kind(fixture.Kind{Name: "main waiting on the WaitGroup (holding mu)", Func: "main.main",
		State: fixture.WaitGroupState(), Count: 1, Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
	f.Kind(fixture.Kind{Name: "consumer waiting for an order", Func: "main.consumer",
		State: "chan receive", Count: consumers, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "producer sending a result nobody receives", Func: "main.producer",
		State: "chan send", Count: producers, CreatedBy: "main.main", Pattern: "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "locker queued on the mutex main holds", Func: "main.locker",
		State: fixture.MutexState(), Count: lockers, CreatedBy: "main.main", Pattern: "mutex", StackOnly: "mutex", Leaking: true})
	f.Kind(fixture.Kind{Name: "waiting on a Cond nobody signals", Func: "main.waitSignal",
		State: "sync.Cond.Wait", Count: 1, CreatedBy: "main.main", Pattern: "cond", StackOnly: "cond", Leaking: true})
	f.Kind(fixture.Kind{Name: "select on the two dead channels", Func: "main.selector",
		State: "select", Count: 1, CreatedBy: "main.main", Pattern: "select-forever", StackOnly: "select-forever", Leaking: true})
	f.WriteExpected(runtime.NumGoroutine(), false)
	wg.Wait()
}

func consumer(f *fixture.F, wg *sync.WaitGroup, orders <-chan int) {
	defer wg.Done()
	f.Started()
	for o := range orders {
		_ = o
	}
}

func producer(f *fixture.F, wg *sync.WaitGroup, results chan<- int, i int) {
	defer wg.Done()
	f.Started()
	results <- i
}

func locker(f *fixture.F, wg *sync.WaitGroup, mu *sync.Mutex) {
	defer wg.Done()
	f.Started()
	mu.Lock()
	mu.Unlock()
}

func waitSignal(f *fixture.F, wg *sync.WaitGroup, c *sync.Cond) {
	defer wg.Done()
	c.L.Lock()
	f.Started()
	c.Wait()
	c.L.Unlock()
}

func selector(f *fixture.F, wg *sync.WaitGroup, orders <-chan int, results chan<- int) {
	defer wg.Done()
	f.Started()
	select {
	case <-orders:
	case results <- -1:
	}
}
