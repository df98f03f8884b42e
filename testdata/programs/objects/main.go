// Command objects blocks groups of goroutines on objects shared across
// groups, every object passed as an argument so that the frames print its
// address:
//
//   - one unbuffered channel, results, with 100 senders from two functions
//     (main.sendResult x60, main.forwardResult x40) and no receiver: two
//     groups, one object;
//   - an AB-BA lock-ordering deadlock: main.transferAB holds mutex A and
//     waits for B, main.transferBA holds B and waits for A; 20 auditors
//     (main.audit) queue on A behind them;
//   - a mutex whose holder exited without unlocking (main.lockAndForget
//     returned): 15 main.waitForLock wait on it, and no goroutine in the
//     dump holds it;
//   - a WaitGroup whose counter never reaches zero, 12 waiters
//     (main.awaitWorkers), and a sync.Cond nobody signals, 12 waiters
//     (main.awaitSignal).
//
// Every object is made in start and referenced only by the goroutines
// blocked on it, so Go 1.26+'s leak detector proves them all leaked.
package main

import (
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	senders    = 60
	forwarders = 40
	auditors   = 20
	orphaned   = 15
	wgWaiters  = 12
	condWaiter = 12
)

func main() {
	f := fixture.New("objects")
	start(f)
	f.Run()
}

func start(f *fixture.F) {
	results := make(chan int)
	f.Expect(senders + forwarders)
	for i := 0; i < senders; i++ {
		go sendResult(f, results, i)
	}
	for i := 0; i < forwarders; i++ {
		go forwardResult(f, results, i)
	}
	resultsObj := fixture.Obj("results", "chan", "send", results)

	a, b := &sync.Mutex{}, &sync.Mutex{}
	abHolds, baHolds := make(chan struct{}), make(chan struct{})
	f.Expect(2 + auditors)
	go transferAB(f, a, b, abHolds, baHolds)
	go transferBA(f, b, a, baHolds, abHolds)
	<-abHolds
	for i := 0; i < auditors; i++ {
		go audit(f, a)
	}

	orphan := &sync.Mutex{}
	forgot := make(chan struct{})
	go lockAndForget(orphan, forgot)
	<-forgot
	f.Expect(orphaned)
	for i := 0; i < orphaned; i++ {
		go waitForLock(f, orphan)
	}

	wg := &sync.WaitGroup{}
	wg.Add(1) // the worker it counts was never started
	f.Expect(wgWaiters)
	for i := 0; i < wgWaiters; i++ {
		go awaitWorkers(f, wg)
	}
	cond := sync.NewCond(&sync.Mutex{})
	f.Expect(condWaiter)
	for i := 0; i < condWaiter; i++ {
		go awaitSignal(f, cond)
	}

	mutexState := fixture.MutexState()
	f.Kind(fixture.Kind{Name: "sender on the shared results channel (first function)", Func: "main.sendResult",
		State: "chan send", Count: senders, CreatedBy: "main.start", Pattern: "chan-send", StackOnly: "chan-send",
		Leaking: true, Leak: true, Objects: []fixture.Object{resultsObj}})
	f.Kind(fixture.Kind{Name: "sender on the shared results channel (second function)", Func: "main.forwardResult",
		State: "chan send", Count: forwarders, CreatedBy: "main.start", Pattern: "chan-send", StackOnly: "chan-send",
		Leaking: true, Leak: true, Objects: []fixture.Object{resultsObj}})
	f.Kind(fixture.Kind{Name: "AB-BA: holds A, waits for B", Func: "main.transferAB",
		State: mutexState, Count: 1, CreatedBy: "main.start", Pattern: "mutex", StackOnly: "mutex",
		Leaking: true, Leak: true, Deadlocked: true,
		Objects: []fixture.Object{fixture.Obj("A", "mutex", "hold", a), fixture.Obj("B", "mutex", "wait", b)}})
	f.Kind(fixture.Kind{Name: "AB-BA: holds B, waits for A", Func: "main.transferBA",
		State: mutexState, Count: 1, CreatedBy: "main.start", Pattern: "mutex", StackOnly: "mutex",
		Leaking: true, Leak: true, Deadlocked: true,
		Objects: []fixture.Object{fixture.Obj("B", "mutex", "hold", b), fixture.Obj("A", "mutex", "wait", a)}})
	f.Kind(fixture.Kind{Name: "auditor queued on A behind the deadlock", Func: "main.audit",
		State: mutexState, Count: auditors, CreatedBy: "main.start", Pattern: "mutex", StackOnly: "mutex",
		Leaking: true, Leak: true, Objects: []fixture.Object{fixture.Obj("A", "mutex", "wait", a)}})
	f.Kind(fixture.Kind{Name: "waiting on a mutex whose holder exited without unlocking", Func: "main.waitForLock",
		State: mutexState, Count: orphaned, CreatedBy: "main.start", Pattern: "mutex", StackOnly: "mutex",
		Leaking: true, Leak: true, Objects: []fixture.Object{fixture.Obj("orphan", "mutex", "wait", orphan)}})
	f.Kind(fixture.Kind{Name: "waiting on a WaitGroup that never reaches zero", Func: "main.awaitWorkers",
		State: fixture.WaitGroupState(), Count: wgWaiters, CreatedBy: "main.start", Pattern: "waitgroup", StackOnly: "waitgroup",
		Leaking: true, Leak: true, Objects: []fixture.Object{fixture.Obj("wg", "waitgroup", "wait", wg)}})
	f.Kind(fixture.Kind{Name: "waiting on a Cond nobody signals", Func: "main.awaitSignal",
		State: "sync.Cond.Wait", Count: condWaiter, CreatedBy: "main.start", Pattern: "cond", StackOnly: "cond",
		Leaking: true, Leak: true, Objects: []fixture.Object{fixture.Obj("cond", "cond", "wait", cond)}})
	f.Note = "objects[].addr is the object's address as the program printed it with %p; frames print it as an " +
		"argument where the Go version does. The AB-BA pair are suspects by the objects' evidence (each holds what " +
		"the other waits for) whatever their size, except in debug=1 count profiles, which print no arguments."
}

func sendResult(f *fixture.F, results chan<- int, i int) {
	f.Started()
	results <- i * i
}

func forwardResult(f *fixture.F, results chan<- int, i int) {
	f.Started()
	results <- -i
}

func transferAB(f *fixture.F, a, b *sync.Mutex, holds chan<- struct{}, other <-chan struct{}) {
	a.Lock()
	close(holds)
	<-other
	f.Started()
	b.Lock() // BUG: transferBA takes the locks in the other order
	b.Unlock()
	a.Unlock()
}

func transferBA(f *fixture.F, b, a *sync.Mutex, holds chan<- struct{}, other <-chan struct{}) {
	b.Lock()
	close(holds)
	<-other
	f.Started()
	a.Lock()
	a.Unlock()
	b.Unlock()
}

func audit(f *fixture.F, a *sync.Mutex) {
	f.Started()
	a.Lock()
	defer a.Unlock()
}

// lockAndForget returns holding the lock (BUG: an early return without Unlock).
func lockAndForget(m *sync.Mutex, done chan<- struct{}) {
	m.Lock()
	close(done)
}

func waitForLock(f *fixture.F, m *sync.Mutex) {
	f.Started()
	m.Lock()
	defer m.Unlock()
}

func awaitWorkers(f *fixture.F, wg *sync.WaitGroup) {
	f.Started()
	wg.Wait()
}

func awaitSignal(f *fixture.F, c *sync.Cond) {
	c.L.Lock()
	f.Started()
	c.Wait()
	c.L.Unlock()
}
