// Command objects parks goroutines on blocking objects shared across code
// sites, so that the dump's arguments tie waiters, holders and mentioners to
// one object, and records each object's address (%p) in the expected JSON:
//
//   - one unbuffered channel with senders from two functions (40 in
//     main.sendFromA, 30 in main.sendFromB) and one goroutine that keeps the
//     channel (main.keepChannel, blocked on another channel, the channel live
//     in its arguments) but never receives;
//   - an AB-BA lock-order deadlock: main.lockAB holds mutex A and waits for
//     B, main.lockBA holds B and waits for A, and 4 main.queueOnA goroutines
//     queue on A behind them;
//   - an RWMutex write-locked by main.holdWrite, which is itself stuck on a
//     channel receive, with 10 readers (main.readShared, RLock) and 3 writers
//     (main.writeShared, Lock) queued on it;
//   - a WaitGroup that never reaches zero (10 in main.awaitGroup) and a
//     sync.Cond nobody signals (10 in main.awaitCond).
package main

import (
	"fmt"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	sendersA    = 40
	sendersB    = 30
	queuedOnA   = 4
	readers     = 10
	writers     = 3
	groupWaits  = 10
	condWaiters = 10
)

func addr(p interface{}) string { return fmt.Sprintf("%p", p) }

func main() {
	f := fixture.New("objaddr")
	f.Expect(sendersA + sendersB + 1 + 2 + queuedOnA + 1 + readers + writers + groupWaits + condWaiters)

	shared := make(chan int)
	for i := 0; i < sendersA; i++ {
		go sendFromA(f, shared, i)
	}
	for i := 0; i < sendersB; i++ {
		go sendFromB(f, shared, i)
	}
	never := make(chan struct{})
	go keepChannel(f, shared, never)

	a, b := new(sync.Mutex), new(sync.Mutex)
	var holding sync.WaitGroup
	holding.Add(2)
	go lockAB(f, a, b, &holding)
	go lockBA(f, b, a, &holding)
	holding.Wait()
	for i := 0; i < queuedOnA; i++ {
		go queueOnA(f, a)
	}

	rw := new(sync.RWMutex)
	locked := make(chan struct{})
	go holdWrite(f, rw, locked, never)
	<-locked
	for i := 0; i < readers; i++ {
		go readShared(f, rw)
	}
	for i := 0; i < writers; i++ {
		go writeShared(f, rw)
	}

	wg := new(sync.WaitGroup)
	wg.Add(1)
	for i := 0; i < groupWaits; i++ {
		go awaitGroup(f, wg)
	}
	cond := sync.NewCond(new(sync.Mutex))
	for i := 0; i < condWaiters; i++ {
		go awaitCond(f, cond)
	}

	mutex, rwLock := fixture.MutexState(), fixture.RWMutexRLockState()
	// A writer queued behind another writer waits in the RWMutex's inner
	// Mutex, so it shows that Mutex's wait reason.
	rwWrite := mutex
	f.Kind(fixture.Kind{Name: "senders on a shared channel, first site", Func: "main.sendFromA",
		State: "chan send", Count: sendersA, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true,
		Object: addr(shared), ObjectKind: "chan", ObjectWait: "send"})
	f.Kind(fixture.Kind{Name: "senders on a shared channel, second site", Func: "main.sendFromB",
		State: "chan send", Count: sendersB, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true,
		Object: addr(shared), ObjectKind: "chan", ObjectWait: "send"})
	f.Kind(fixture.Kind{Name: "keeps the shared channel, never receives", Func: "main.keepChannel",
		State: "chan receive", Count: 1, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true,
		Object: addr(never), ObjectKind: "chan", ObjectWait: "receive"})
	f.Kind(fixture.Kind{Name: "holds A, waits for B", Func: "main.lockAB",
		State: mutex, Count: 1, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true,
		Object: addr(b), ObjectKind: "mutex", ObjectWait: "lock"})
	f.Kind(fixture.Kind{Name: "holds B, waits for A", Func: "main.lockBA",
		State: mutex, Count: 1, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true,
		Object: addr(a), ObjectKind: "mutex", ObjectWait: "lock"})
	f.Kind(fixture.Kind{Name: "queued on A behind the deadlock", Func: "main.queueOnA",
		State: mutex, Count: queuedOnA, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true,
		Object: addr(a), ObjectKind: "mutex", ObjectWait: "lock"})
	f.Kind(fixture.Kind{Name: "holds the write lock, stuck on a channel", Func: "main.holdWrite",
		State: "chan receive", Count: 1, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true,
		Object: addr(never), ObjectKind: "chan", ObjectWait: "receive"})
	f.Kind(fixture.Kind{Name: "readers behind the stuck writer", Func: "main.readShared",
		State: rwLock, Count: readers, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true,
		Object: addr(rw), ObjectKind: "rwmutex", ObjectWait: "rlock"})
	f.Kind(fixture.Kind{Name: "writers behind the stuck writer", Func: "main.writeShared",
		State: rwWrite, Count: writers, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true,
		Object: addr(rw), ObjectKind: "rwmutex", ObjectWait: "lock"})
	f.Kind(fixture.Kind{Name: "Wait on a group that never reaches zero", Func: "main.awaitGroup",
		State: fixture.WaitGroupState(), Count: groupWaits, CreatedBy: "main.main", Leak: true,
		Pattern: "waitgroup", StackOnly: "waitgroup", Leaking: true,
		Object: addr(wg), ObjectKind: "waitgroup", ObjectWait: "wait"})
	f.Kind(fixture.Kind{Name: "Wait on a cond nobody signals", Func: "main.awaitCond",
		State: "sync.Cond.Wait", Count: condWaiters, CreatedBy: "main.main", Leak: true,
		Pattern: "cond", StackOnly: "cond", Leaking: true,
		Object: addr(cond), ObjectKind: "cond", ObjectWait: "wait"})
	f.Run()
}

func sendFromA(f *fixture.F, ch chan<- int, v int) {
	f.Started()
	ch <- v
}

func sendFromB(f *fixture.F, ch chan<- int, v int) {
	f.Started()
	ch <- -v
}

// keepChannel holds the channel (live across the receive, so its argument is
// printed without "?") and would close it, but never gets there.
func keepChannel(f *fixture.F, ch chan int, quit chan struct{}) {
	f.Started()
	<-quit
	close(ch)
}

func lockAB(f *fixture.F, first, second *sync.Mutex, holding *sync.WaitGroup) {
	first.Lock()
	holding.Done()
	holding.Wait()
	f.Started()
	second.Lock()
	second.Unlock()
	first.Unlock()
}

func lockBA(f *fixture.F, first, second *sync.Mutex, holding *sync.WaitGroup) {
	first.Lock()
	holding.Done()
	holding.Wait()
	f.Started()
	second.Lock()
	second.Unlock()
	first.Unlock()
}

func queueOnA(f *fixture.F, a *sync.Mutex) {
	f.Started()
	a.Lock()
	a.Unlock()
}

func holdWrite(f *fixture.F, rw *sync.RWMutex, locked chan<- struct{}, quit <-chan struct{}) {
	rw.Lock()
	close(locked)
	f.Started()
	<-quit
	rw.Unlock()
}

func readShared(f *fixture.F, rw *sync.RWMutex) {
	f.Started()
	rw.RLock()
	rw.RUnlock()
}

func writeShared(f *fixture.F, rw *sync.RWMutex) {
	f.Started()
	rw.Lock()
	rw.Unlock()
}

func awaitGroup(f *fixture.F, wg *sync.WaitGroup) {
	f.Started()
	wg.Wait()
}

func awaitCond(f *fixture.F, c *sync.Cond) {
	c.L.Lock()
	f.Started()
	c.Wait()
	c.L.Unlock()
}
