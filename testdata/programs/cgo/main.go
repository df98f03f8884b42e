// Command cgo parks goroutines inside C calls (state syscall, a frame in
// _cgo_gotypes.go with a relative path). Build it with CGO_ENABLED=1. With
// -capture cgo_system it panics under GOTRACEBACK=system instead of serving
// its dump, which shows the runtime.cgocall frame.
package main

/*
#include <unistd.h>
static void csleep(unsigned int seconds) { sleep(seconds); }
*/
import "C"

import (
	"fmt"
	"runtime"

	"gleak.test/programs/internal/fixture"
)

const sleepers = 2

var f *fixture.F

func callC() {
	f.Started()
	C.csleep(86400)
}

//go:noinline
func panicNow(n int) { panic(fmt.Sprintf("fixture panic with %d goroutines", n)) }

func main() {
	f = fixture.New("cgo")
	f.Expect(sleepers)
	for i := 0; i < sleepers; i++ {
		go callC()
	}
	f.Kind(fixture.Kind{Name: "sleeping in a C call (no rule covers it)", Func: "main.callC", State: "syscall",
		Count: sleepers, CreatedBy: "main.main", Pattern: "unclassified", StackOnly: "unclassified"})
	if f.Capture() == "cgo_system" {
		f.Settle()
		f.Kind(fixture.Kind{Name: "main goroutine panicking", Func: "main.panicNow",
			State: "running", Count: 1, Pattern: "not-blocked", StackOnly: "not-blocked"})
		n := runtime.NumGoroutine()
		f.WriteExpected(n, true)
		panicNow(n)
	}
	f.Run()
}
