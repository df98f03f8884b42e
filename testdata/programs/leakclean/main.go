// Command leakclean leaks nothing: its goroutines wait on objects reachable
// from globals (an idle pool on a global queue, a ticker loop whose owner
// keeps its stop channel, a listener), so Go 1.26+'s goroutine leak
// profile is empty ("goroutineleak profile: total 0", the clean answer) and
// its debug=2 form lists every goroutine without a (leaked) marker.
package main

import (
	"net"
	"time"

	"gleak.test/programs/internal/fixture"
)

const poolSize = 6

var (
	queue    = make(chan func())
	stop     = make(chan struct{})
	listener net.Listener
)

func main() {
	f := fixture.New("leakclean")
	f.Expect(poolSize + 2)
	for i := 0; i < poolSize; i++ {
		go poolWorker(f)
	}
	go tickLoop(f)
	var err error
	listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go acceptLoop(f)
	f.Kind(fixture.Kind{Name: "idle pool worker on a global queue", Func: "main.poolWorker",
		State: "chan receive", Count: poolSize, CreatedBy: "main.main", Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "ticker loop with a global stop channel", Func: "main.tickLoop",
		State: "select", Count: 1, CreatedBy: "main.main", Pattern: "timer", StackOnly: "timer"})
	f.Kind(fixture.Kind{Name: "listener in Accept", Func: "main.acceptLoop",
		State: "IO wait", Count: 1, CreatedBy: "main.main", Pattern: "listener", StackOnly: "listener"})
	f.Run()
}

func poolWorker(f *fixture.F) {
	f.Started()
	for job := range queue {
		job()
	}
}

func tickLoop(f *fixture.F) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	f.Started()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

func acceptLoop(f *fixture.F) {
	f.Started()
	for {
		c, err := listener.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}
