// Command signals has signal.Notify loops, healthy: three components each
// registered their own channel with signal.Notify and range over it
// (main.reloadOnHangup: SIGHUP; main.rotateOnUSR1: SIGUSR1;
// main.shutdownOnTerm: SIGTERM and SIGINT, waiting for the one signal that
// ends the program). Before the dump the program sends itself SIGHUP and
// SIGUSR1 and waits until both were handled; the loops are back waiting.
// The os/signal package's own delivery loop is there too.
package main

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

var reloads, rotations int64

func main() {
	f := fixture.New("signals")
	f.Expect(3)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	go reloadOnHangup(f, hup)
	go rotateOnUSR1(f, usr1)
	go shutdownOnTerm(f, term)
	f.Settle()
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	load.WaitUntil("both signals handled", func() bool {
		return atomic.LoadInt64(&reloads) == 1 && atomic.LoadInt64(&rotations) == 1
	})
	f.Kind(fixture.Kind{Name: "SIGHUP reload loop (signal.Notify channel)", Func: "main.reloadOnHangup",
		State: "chan receive", Count: 1, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "SIGUSR1 log rotation loop (signal.Notify channel)", Func: "main.rotateOnUSR1",
		State: "chan receive", Count: 1, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "waiting for SIGTERM/SIGINT to shut down (signal.Notify channel)", Func: "main.shutdownOnTerm",
		State: "chan receive", Count: 1, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	loopCreator := "os/signal.Notify.func1.1"
	if fixture.GoMinor() >= 27 {
		loopCreator = "os/signal.Notify.func2.1" // as Go 1.27 names the closure
	}
	f.Kind(fixture.Kind{Name: "the os/signal delivery loop", Func: "os/signal.loop", State: "syscall",
		Count: 1, CreatedBy: loopCreator, Pattern: "harness", StackOnly: "harness"})
	f.Run()
}

func reloadOnHangup(f *fixture.F, c <-chan os.Signal) {
	f.Started()
	for range c {
		atomic.AddInt64(&reloads, 1)
	}
}

func rotateOnUSR1(f *fixture.F, c <-chan os.Signal) {
	f.Started()
	for range c {
		atomic.AddInt64(&rotations, 1)
	}
}

func shutdownOnTerm(f *fixture.F, c <-chan os.Signal) {
	f.Started()
	<-c
	os.Exit(0)
}
