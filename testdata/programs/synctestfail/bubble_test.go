//go:build go1.25

// The module says go 1.19, whose default asynctimerchan=1 synctest refuses.
//
//go:debug asynctimerchan=0

package synctestfail

import (
	"sync"
	"testing"
	"testing/synctest"

	"gleak.test/programs/internal/fixture"
)

const (
	pkg     = "gleak.test/programs/synctestfail"
	waiters = 3
	groups  = 2
)

func TestBubbleDeadlock(t *testing.T) {
	f := fixture.New("synctest")
	if f.Capture() == "" {
		t.Skip("run by testdata/regen with -args -capture synctest -out FILE")
	}
	f.Producer = "synctest"
	synctest.Test(t, func(t *testing.T) {
		events := make(chan int)
		var wg sync.WaitGroup
		wg.Add(1) // the worker it counts is never started
		for i := 0; i < waiters; i++ {
			go waitForEvent(events)
		}
		for i := 0; i < groups; i++ {
			go awaitGroup(&wg)
		}
		go relay(make(chan int), make(chan int)) // channels nobody else has
		synctest.Wait()                          // every bubble goroutine is durably blocked

		f.Kind(fixture.Kind{Name: "waiting for an event nobody sends", Func: pkg + ".waitForEvent",
			State: "chan receive", Durable: true, Count: waiters, CreatedBy: pkg + ".TestBubbleDeadlock.func1",
			Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
		f.Kind(fixture.Kind{Name: "waiting on a WaitGroup that never reaches zero", Func: pkg + ".awaitGroup",
			State: "sync.WaitGroup.Wait", Durable: true, Count: groups, CreatedBy: pkg + ".TestBubbleDeadlock.func1",
			Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true})
		f.Kind(fixture.Kind{Name: "relay selecting on two channels nobody else has", Func: pkg + ".relay",
			State: "select", Durable: true, Count: 1, CreatedBy: pkg + ".TestBubbleDeadlock.func1",
			Pattern: "select-forever", StackOnly: "select-forever", Leaking: true})
		f.Kind(fixture.Kind{Name: "the bubble's root function waiting for a reply", Func: pkg + ".TestBubbleDeadlock.func1",
			State: "chan receive", Durable: true, Count: 1, CreatedBy: "testing/synctest.testingSynctestTest",
			Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
		f.Kind(fixture.Kind{Name: "synctest's goroutine running the bubble's test", Func: "testing/synctest.testingSynctestTest",
			State: "chan receive", Durable: true, Count: 1, CreatedBy: "testing/synctest.Test",
			Pattern: "harness", StackOnly: "harness"})
		f.Kind(fixture.Kind{Name: "the test goroutine raising the deadlock panic", Func: "testing/synctest.Test",
			State: "running", Count: 1, CreatedBy: "testing.(*T).Run", Pattern: "not-blocked", StackOnly: "not-blocked"})
		f.Note = "go test output of a test whose testing/synctest bubble deadlocks: the panic prints the panicking " +
			"test goroutine and the bubble's goroutines, each marked (durable) with its bubble id. goroutines counts " +
			"what the panic prints: the goroutines this test started in the bubble, the bubble's root and synctest's " +
			"goroutine running it, and the panicking test goroutine (not the testing package's main goroutine)."
		f.WriteExpected(waiters+groups+1+3, false)
		<-events
	})
}

func waitForEvent(events <-chan int) { <-events }

func awaitGroup(wg *sync.WaitGroup) { wg.Wait() }

func relay(in <-chan int, out chan<- int) {
	select {
	case v := <-in:
		out <- v
	case out <- 0:
	}
}
