// Command healthy leaks nothing: an idle worker pool waits on its queue, one
// listener waits in Accept, and a ticker loop runs until it is told to stop
// (one such loop is stopped before the dump and is gone).
package main

import (
	"net"
	"time"

	"gleak.test/programs/internal/fixture"
)

const poolSize = 8

// Everything the goroutines wait on is reachable from globals.
var (
	queue    = make(chan func())
	listener net.Listener
	stopTick = make(chan struct{})
)

func main() {
	f := fixture.New("healthy")
	f.Expect(poolSize + 2)

	for i := 0; i < poolSize; i++ {
		go poolWorker(f)
	}
	var err error
	listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go acceptLoop(f, listener)
	go tickLoop(f, time.Minute, stopTick)

	// A second ticker loop that is stopped again: it must not show up.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		tickLoop(nil, time.Millisecond, stop)
		close(done)
	}()
	time.Sleep(10 * time.Millisecond)
	close(stop)
	<-done

	f.Kind(fixture.Kind{Name: "idle pool worker waiting on the queue", Func: "main.poolWorker",
		State: "chan receive", Count: poolSize, CreatedBy: "main.main"})
	f.Kind(fixture.Kind{Name: "listener in Accept", Func: "main.acceptLoop",
		State: "IO wait", Count: 1, CreatedBy: "main.main"})
	f.Kind(fixture.Kind{Name: "ticker loop with a stop channel", Func: "main.tickLoop",
		State: "select", Count: 1, CreatedBy: "main.main"})
	f.Run()
}

func poolWorker(f *fixture.F) {
	f.Started()
	for job := range queue {
		job()
	}
}

func acceptLoop(f *fixture.F, ln net.Listener) {
	f.Started()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func tickLoop(f *fixture.F, every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	if f != nil {
		f.Started()
	}
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}
