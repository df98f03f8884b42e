// Command panicvalues parks a few goroutines and then dies in one of the ways
// a panic prints its value (run with GOTRACEBACK=all, like panic):
//
//	panic_error       an error value: its Error() text, with "<" and "&"
//	panic_custom      a struct value: "(main.point) {...}" as the runtime prints it
//	panic_multiline   a string of several lines: the runtime indents the rest by a tab
//	panic_recovered   recovered, then a new panic: "V [recovered]" + "\tpanic: W"
//	panic_repanicked  panic(recover()): "V [recovered, repanicked]" (Go 1.25+; older
//	                  Go prints "V [recovered]" and "\tpanic: V" again)
//	panic_goroutine   a goroutine other than main panics while main waits for it
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"gleak.test/programs/internal/fixture"
)

const waiters = 3

type point struct {
	X, Y int
}

func main() {
	f := fixture.New("panicvalues")
	kind := strings.TrimPrefix(f.Capture(), "panic_")
	switch kind {
	case "error", "custom", "multiline", "recovered", "repanicked", "goroutine":
	default:
		fmt.Fprintf(os.Stderr, "panicvalues: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	f.Expect(waiters)
	orders := make(chan int)
	for i := 0; i < waiters; i++ {
		go waitForOrder(f, orders)
	}
	f.Settle()
	f.Kind(fixture.Kind{Name: "waiting for an order", Func: "main.waitForOrder",
		State: "chan receive", Count: waiters, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})

	if kind == "goroutine" {
		var wg sync.WaitGroup
		wg.Add(1)
		go crashWorker(f, &wg)
		wg.Wait()
		return
	}
	f.Kind(fixture.Kind{Name: "main goroutine panicking", Func: "main.explode",
		State: "running", Count: 1, Pattern: "not-blocked", StackOnly: "not-blocked"})
	explode(f, kind)
}

func waitForOrder(f *fixture.F, orders <-chan int) {
	f.Started()
	<-orders
}

// crashWorker panics in a goroutine of its own: the crash output prints it
// first, main (waiting for it) after.
// It never calls wg.Done: a deferred Done would run while the panic unwinds
// and make main runnable before the crash output is printed.
func crashWorker(f *fixture.F, wg *sync.WaitGroup) {
	_ = wg
	waitMainParked()
	f.Kind(fixture.Kind{Name: "main waiting for the worker", Func: "main.main",
		State: fixture.WaitGroupState(), Count: 1, Pattern: "waitgroup", StackOnly: "waitgroup"})
	f.Kind(fixture.Kind{Name: "worker panicking", Func: "main.crashWorker",
		State: "running", Count: 1, CreatedBy: "main.main", Pattern: "not-blocked", StackOnly: "not-blocked"})
	err := fmt.Errorf("worker %d: %w", 7, errors.New("queue closed"))
	f.SetProducer(fixture.Producer{PanicValues: []string{err.Error()}, CrashedGoroutine: fixture.GoroutineID()})
	f.WriteExpected(runtime.NumGoroutine(), false)
	panic(err)
}

// waitMainParked returns once main is parked in wg.Wait, so that the crash
// output shows it waiting rather than runnable.
func waitMainParked() {
	want := []byte("goroutine 1 [" + fixture.WaitGroupState() + "]")
	buf := make([]byte, 1<<20)
	for i := 0; i < 5000; i++ {
		if bytes.Contains(buf[:runtime.Stack(buf, true)], want) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func explode(f *fixture.F, kind string) {
	id := fixture.GoroutineID()
	switch kind {
	case "error":
		err := errors.New("disk <full> & read-only")
		f.SetProducer(fixture.Producer{PanicValues: []string{err.Error()}, CrashedGoroutine: id})
		f.WriteExpected(runtime.NumGoroutine(), false)
		panic(err)
	case "custom":
		p := point{3, 4}
		// The runtime prints a value of a non-basic type as its type and
		// address: "(main.point) 0x4d2df8"; the address is not known here.
		f.SetProducer(fixture.Producer{PanicValues: []string{"(main.point) "}, CrashedGoroutine: id})
		f.Note = "panic_values[0] is the start of the printed value: the runtime prints a struct as its type and an address."
		f.WriteExpected(runtime.NumGoroutine(), false)
		panic(p)
	case "multiline":
		v := "config invalid:\nline 3: unknown key \"x\"\nline 9: bad port"
		shown := v
		if fixture.GoMinor() < 23 {
			// Before Go 1.23 the runtime does not indent the value's other
			// lines: they cannot be told from log lines, only the first is its.
			shown = "config invalid:"
			f.Note = "Go before 1.23 prints the lines after the first of a panic value unindented: panic_values holds only the first."
		}
		f.SetProducer(fixture.Producer{PanicValues: []string{shown}, CrashedGoroutine: id})
		f.WriteExpected(runtime.NumGoroutine(), false)
		panic(v)
	case "recovered":
		first := "first failure"
		second := "cleanup failed after: first failure"
		defer func() {
			r := recover()
			panic(fmt.Sprintf("cleanup failed after: %v", r))
		}()
		f.SetProducer(fixture.Producer{PanicValues: []string{first, second}, Recovered: true, CrashedGoroutine: id})
		f.WriteExpected(runtime.NumGoroutine(), false)
		panic(first)
	case "repanicked":
		v := "state corrupted"
		defer func() {
			r := recover()
			panic(r)
		}()
		values := []string{v}
		if fixture.GoMinor() < 25 {
			values = []string{v, v} // printed twice before Go 1.25
		}
		f.SetProducer(fixture.Producer{PanicValues: values, Recovered: true, CrashedGoroutine: id})
		f.WriteExpected(runtime.NumGoroutine(), false)
		panic(v)
	}
}
