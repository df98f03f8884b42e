// Command healthy leaks nothing, though its goroutines look like leaks:
//
//   - an idle worker pool (8 workers) waits on its queue,
//   - one listener waits in Accept,
//   - a ticker loop runs until its owner stops it (the owner, a Service,
//     is alive and its Stop closes the loop's stop channel; a second loop
//     is stopped before the dump and is gone),
//   - a sync.Cond waiter waits for jobs while its signaller, a dispatcher
//     waiting for incoming jobs, is alive and will Signal on the next one.
package main

import (
	"net"
	"sync"
	"time"

	"gleak.test/programs/internal/fixture"
)

const poolSize = 8

// Everything the goroutines wait on is reachable from globals.
var (
	queue    = make(chan func())
	listener net.Listener
	svc      *Service
	jobs     = &jobQueue{}
	incoming = make(chan int)
)

// Service owns a ticker loop; Stop ends it.
type Service struct {
	stop chan struct{}
	done chan struct{}
}

func StartService(f *fixture.F, every time.Duration) *Service {
	s := &Service{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		tickLoop(f, every, s.stop)
		close(s.done)
	}()
	return s
}

// Stop stops the ticker loop and waits for it to return.
func (s *Service) Stop() {
	close(s.stop)
	<-s.done
}

// jobQueue is a queue guarded by a mutex; take waits on the cond until a
// job is there.
type jobQueue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
}

func main() {
	f := fixture.New("healthy")
	f.Expect(poolSize + 4)

	for i := 0; i < poolSize; i++ {
		go poolWorker(f)
	}
	var err error
	listener, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go acceptLoop(f, listener)
	svc = StartService(f, time.Minute) // stopped by its owner at shutdown

	// A second ticker loop whose owner already stopped it: it is gone.
	StartService(nil, time.Millisecond).Stop()

	jobs.cond = sync.NewCond(&jobs.mu)
	go jobs.consume(f)
	go dispatch(f, jobs)

	f.Kind(fixture.Kind{Name: "idle pool worker waiting on the queue", Func: "main.poolWorker",
		State: "chan receive", Count: poolSize, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "listener in Accept", Func: "main.acceptLoop",
		State: "IO wait", Count: 1, CreatedBy: "main.main",
		Pattern: "listener", StackOnly: "listener"})
	f.Kind(fixture.Kind{Name: "ticker loop its owner stops later", Func: "main.tickLoop",
		State: "select", Count: 1, CreatedBy: "main.StartService",
		// stack alone: the timer rule's name clause (tick) on a select
		Pattern: "timer", StackOnly: "timer"})
	f.Kind(fixture.Kind{Name: "sync.Cond waiter whose signaller is alive", Func: "main.(*jobQueue).consume",
		State: "sync.Cond.Wait", Count: 1, CreatedBy: "main.main",
		Pattern: "cond", StackOnly: "cond"})
	f.Kind(fixture.Kind{Name: "signaller waiting for incoming jobs", Func: "main.dispatch",
		State: "chan receive", Count: 1, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
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

// consume takes jobs as the dispatcher signals them.
func (q *jobQueue) consume(f *fixture.F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	f.Started()
	for {
		for len(q.items) == 0 {
			q.cond.Wait()
		}
		q.items = q.items[1:]
	}
}

// dispatch moves incoming jobs to the queue and signals the consumer.
func dispatch(f *fixture.F, q *jobQueue) {
	f.Started()
	for j := range incoming {
		q.mu.Lock()
		q.items = append(q.items, j)
		q.mu.Unlock()
		q.cond.Signal()
	}
}
