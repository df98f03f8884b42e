// Command crashes dies in one of the ways Go programs die, chosen by
// -capture: runtime error panics, panics with values that are not strings,
// panics during panics, every GOTRACEBACK level, goroutines whose stacks the
// panic cannot print, fatal errors the runtime raises (concurrent map
// writes, an unlocked mutex, deadlocks, a stack overflow). Before dying it
// writes what the crash output will hold to -out, like the panic program.
// testdata/regen gives each capture its environment (GOTRACEBACK, GODEBUG).
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"gleak.test/programs/internal/fixture"
)

var (
	f     *fixture.F
	never = make(chan struct{})
)

var crashes = map[string]func(){
	"nil_deref":          nilDeref,
	"nil_deref_inlined":  nilDerefInlined,
	"index_out_of_range": indexOutOfRange,
	"close_closed":       closeClosed,
	"repanic":            repanic,
	"nested_panic":       nestedPanic,
	"error_multiline":    errorMultiline,
	"struct_value":       structValue,
	"int_value":          intValue,
	"deep_panic":         deepPanic,
	"single":             single,
	"system":             system,
	"stack_unavailable":  stackUnavailable,
	"runnable":           runnable,
	"map_writes":         mapWrites,
	"unlock_unlocked":    unlockUnlocked,
	"goexit_deadlock":    goexitDeadlock,
	"mutex_deadlock":     mutexDeadlock,
	"stack_overflow":     stackOverflow,
}

func main() {
	f = fixture.New("crashes")
	crash, ok := crashes[f.Capture()]
	if !ok {
		fmt.Fprintf(os.Stderr, "crashes: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	crash()
	fmt.Fprintln(os.Stderr, "crashes: still alive")
	os.Exit(3)
}

// dying is the one goroutine that crashes, running.
func dying(fn string) {
	f.Kind(fixture.Kind{Name: "the goroutine that crashes", Func: fn, State: "running", Count: 1,
		Pattern: "not-blocked", StackOnly: "not-blocked"})
}

// expect writes the expected result: the dump shows n user goroutines.
func expect(n int, system bool) { f.WriteExpected(n, system) }

type node struct{ next *node }

//go:noinline
func derefNil(n *node) *node { return n.next }

func nilDeref() {
	dying("main.derefNil")
	expect(1, false)
	derefNil(nil)
}

func small(n *node) *node { return n.next } // inlined into its caller

func nilDerefInlined() {
	dying("main.small")
	expect(1, false)
	small(nil)
}

//go:noinline
func indexAt(s []int, i int) int { return s[i] }

func indexOutOfRange() {
	dying("main.indexAt")
	expect(1, false)
	indexAt([]int{1, 2, 3}, 5)
}

//go:noinline
func closeTwice(c chan int) {
	close(c)
	close(c)
}

func closeClosed() {
	dying("main.closeTwice")
	expect(1, false)
	closeTwice(make(chan int))
}

//go:noinline
func recoverAndRepanic() {
	defer func() {
		r := recover()
		panic(r)
	}()
	panic("first")
}

func repanic() {
	dying("main.recoverAndRepanic")
	expect(1, false)
	recoverAndRepanic()
}

//go:noinline
func panicTwice() {
	defer func() { panic("second panic, in a deferred call") }()
	panic("first panic")
}

func nestedPanic() {
	dying("main.panicTwice")
	expect(1, false)
	panicTwice()
}

//go:noinline
func failWith(err error) { panic(err) }

func errorMultiline() {
	dying("main.failWith")
	expect(1, false)
	failWith(errors.New("fixture error on two lines\nsecond line of the error"))
}

type point struct {
	X, Y int
	Name string
}

//go:noinline
func panicStruct() { panic(point{3, 4, "p"}) }

func structValue() {
	dying("main.panicStruct")
	expect(1, false)
	panicStruct()
}

//go:noinline
func panicInt() { panic(42) }

func intValue() {
	dying("main.panicInt")
	expect(1, false)
	panicInt()
}

//go:noinline
func recurseThenPanic(depth int) int {
	if depth == 0 {
		panic("fixture panic 150 calls deep")
	}
	return recurseThenPanic(depth-1) + 1
}

func deepPanic() {
	dying("main.recurseThenPanic")
	expect(1, false)
	recurseThenPanic(150)
}

// park starts n goroutines blocked for good in main.parked.
func park(n int) {
	f.Expect(n)
	for i := 0; i < n; i++ {
		go parked()
	}
	f.Settle()
}

func parked() {
	f.Started()
	<-never
}

//go:noinline
func panicNow() { panic("fixture panic") }

// single: the default GOTRACEBACK prints the crashing goroutine only.
func single() {
	park(3)
	dying("main.panicNow")
	f.Kind(fixture.Kind{Name: "parked, not printed at the default level", Func: "main.parked",
		State: "chan receive", Count: 0, CreatedBy: "main.park",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	expect(1, false)
	panicNow()
}

// system: GOTRACEBACK=system adds runtime frames and the runtime's goroutines.
func system() {
	park(3)
	dying("main.panicNow")
	f.Kind(fixture.Kind{Name: "parked", Func: "main.parked",
		State: "chan receive", Count: 3, CreatedBy: "main.park",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	expect(runtime.NumGoroutine(), true)
	panicNow()
}

var spinning int32

// spin loops without a function call: without asynchronous preemption
// nothing can stop it.
func spin() {
	atomic.AddInt32(&spinning, 1)
	for atomic.LoadInt32(&spinning) != 0 {
	}
}

func startSpinners(n int32) {
	for i := int32(0); i < n; i++ {
		go spin()
	}
	for atomic.LoadInt32(&spinning) != n {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
}

// stackUnavailable (GODEBUG=asyncpreemptoff=1 GOTRACEBACK=all GOMAXPROCS=4):
// two goroutines spin on other threads while main panics; their stacks are
// "unavailable", so they have no frames and only their creator tells them.
func stackUnavailable() {
	startSpinners(2)
	dying("main.panicNow")
	expect(runtime.NumGoroutine(), false)
	panicNow()
}

// runnable (GOTRACEBACK=all GOMAXPROCS=4): the same spinners, preempted by
// the panic, are printed as runnable or with their stack unavailable.
func runnable() {
	startSpinners(2)
	dying("main.panicNow")
	expect(runtime.NumGoroutine(), false)
	panicNow()
}

// mapWrites: two goroutines write one map until the runtime notices.
func mapWrites() {
	m := map[int]int{}
	var wg sync.WaitGroup
	wg.Add(2)
	f.Kind(fixture.Kind{Name: "main waiting for the writers", Func: "main.mapWrites",
		State: fixture.WaitGroupState(), Count: 1,
		Pattern: "waitgroup", StackOnly: "waitgroup"})
	expect(3, false)
	for i := 0; i < 2; i++ {
		go writeMap(m, &wg)
	}
	wg.Wait()
}

func writeMap(m map[int]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; ; i++ {
		m[i%1000] = i
	}
}

func unlockUnlocked() {
	var mu sync.Mutex
	f.Kind(fixture.Kind{Name: "unlocks a mutex nobody locked", Func: "main.unlockUnlocked",
		State: "running", Count: 1, Pattern: "not-blocked", StackOnly: "not-blocked"})
	expect(1, false)
	mu.Unlock()
}

// goexitDeadlock: main calls runtime.Goexit when nothing else runs; the
// runtime prints one line and no goroutine at all.
func goexitDeadlock() {
	expect(0, false)
	runtime.Goexit()
}

func mutexDeadlock() {
	var mu sync.Mutex
	f.Kind(fixture.Kind{Name: "main locking its own mutex again", Func: "main.mutexDeadlock",
		State: fixture.MutexState(), Count: 1, Pattern: "mutex", StackOnly: "mutex"})
	expect(1, false)
	mu.Lock()
	mu.Lock()
}

//go:noinline
func overflow(n int) int { return overflow(n+1) + 1 }

// stackOverflow: unbounded recursion against a 1 MiB stack limit (the
// default 1 GB takes seconds and as much memory).
func stackOverflow() {
	debug.SetMaxStack(1 << 20)
	dying("main.overflow")
	expect(runtime.NumGoroutine(), true)
	overflow(0)
}
