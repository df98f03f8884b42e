// Command notrun writes a debug=1 goroutine profile right after starting
// goroutines that have not run yet: on one P, with no yield between the go
// statements and the profile, they have no frame of their own to show and the
// profile prints their record as "5 @ 0x..." with no "#" line at all.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"gleak.test/programs/internal/fixture"
)

const (
	parked  = 3
	fresh   = 5
	capture = "notrun_debug1"
)

func main() {
	f := fixture.New("notrun")
	if f.Capture() != capture {
		fmt.Fprintf(os.Stderr, "notrun: unsupported capture %q\n", f.Capture())
		os.Exit(3)
	}
	f.Expect(parked)
	queue := make(chan int)
	for i := 0; i < parked; i++ {
		go waitForWork(f, queue)
	}
	f.Settle()
	f.Kind(fixture.Kind{Name: "parked worker", Func: "main.waitForWork", State: "chan receive",
		Count: parked, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Note = fmt.Sprintf("%d goroutines of main.neverRan were started right before the profile and had not run: "+
		"their record has no frame, only the count.", fresh)

	runtime.GOMAXPROCS(1)
	for i := 0; i < fresh; i++ {
		go neverRan(queue)
	}
	// No function call that could yield between the go statements and the
	// count: NumGoroutine and the profile see the same goroutines.
	n := runtime.NumGoroutine()
	f.WriteExpectedDebug1(n)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 1)
}

func waitForWork(f *fixture.F, queue <-chan int) {
	f.Started()
	<-queue
}

func neverRan(queue <-chan int) { <-queue }
