// Command svcworkers is a healthy background-job service: nothing leaks,
// every loop has a live owner that ends it at shutdown, and work flows
// through all of them under load. Its idle loops have the same shapes, sizes
// and states as the leaks of `context`, `timer`, `timewaits`, `selectforever`
// and `execwait`, which is why gleak cannot make those leaks suspects from
// one snapshot without making this service one too:
//
//   - 25 pool workers: `select { case <-ctx.Done(): return; case j := <-jobs: }`
//     (main.(*Pool).work; the pool's context is cancelled by Stop);
//   - 25 pollers: `for !stopping.Load() { time.Sleep(..); poll() }` (main.pollFlag);
//   - 25 shard flushers: `for range t.C { flush() }` on a process-lifetime
//     ticker (main.flushShard);
//   - 25 retry loops: `for !stopping.Load() { <-time.After(..); retry() }`
//     (main.retryLater);
//   - 60 forwarders: `select { case v := <-in: out <- v; case <-quit: return }`
//     (main.forward), the stages of live pipes;
//   - 20 running jobs started by exec.CommandContext with a live context
//     (os/exec's context watcher; the children die with the process).
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each runs 400 jobs through the pool and 400 values through the pipes.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	workers    = 25
	pollers    = 25
	flushers   = 25
	retriers   = 25
	forwarders = 60
	jobs       = 20
)

// Pool runs jobs on a fixed set of workers until Stop cancels its context.
type Pool struct {
	jobs   chan func()
	cancel context.CancelFunc
}

// Pipe forwards values from in to out until quit is closed.
type Pipe struct {
	in, out chan int
	quit    chan struct{}
}

var (
	pool                    *Pool
	pipes                   []*Pipe
	stopping                atomic.Bool
	commands                []*exec.Cmd
	cancelJobs              context.CancelFunc
	polls, flushes, retries atomic.Int64
	mu                      sync.Mutex
)

func StartPool(f *fixture.F, n int) *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{jobs: make(chan func()), cancel: cancel}
	for i := 0; i < n; i++ {
		go p.work(f, ctx)
	}
	return p
}

// Stop ends every worker.
func (p *Pool) Stop() { p.cancel() }

func (p *Pool) work(f *fixture.F, ctx context.Context) {
	f.Started()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-p.jobs:
			j()
		}
	}
}

func pollFlag(f *fixture.F) {
	f.Started()
	for !stopping.Load() {
		time.Sleep(time.Hour)
		polls.Add(1)
	}
}

func flushShard(f *fixture.F, t *time.Ticker) {
	f.Started()
	for range t.C {
		flushes.Add(1)
	}
}

func retryLater(f *fixture.F) {
	f.Started()
	for !stopping.Load() {
		<-time.After(time.Hour)
		retries.Add(1)
	}
}

func forward(f *fixture.F, p *Pipe) {
	f.Started()
	for {
		select {
		case v := <-p.in:
			p.out <- v
		case <-p.quit:
			return
		}
	}
}

func main() {
	f := fixture.New("svcworkers")
	f.Expect(workers + pollers + flushers + retriers + forwarders)
	pool = StartPool(f, workers)
	for i := 0; i < pollers; i++ {
		go pollFlag(f)
	}
	for i := 0; i < flushers; i++ {
		go flushShard(f, time.NewTicker(time.Hour))
	}
	for i := 0; i < retriers; i++ {
		go retryLater(f)
	}
	for i := 0; i < forwarders; i++ {
		p := &Pipe{in: make(chan int), out: make(chan int, 1), quit: make(chan struct{})}
		pipes = append(pipes, p)
		go forward(f, p)
	}
	var ctx context.Context
	ctx, cancelJobs = context.WithCancel(context.Background())
	for i := 0; i < jobs; i++ {
		cmd := exec.CommandContext(ctx, "sleep", "3600")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			panic(err)
		}
		commands = append(commands, cmd)
	}
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))

	f.Kind(fixture.Kind{Name: "pool worker: select on ctx.Done() and the job queue (pool alive)",
		Func: "main.(*Pool).work", State: "select", Count: workers, CreatedBy: "main.StartPool",
		Pattern: "context", StackOnly: "select-forever"})
	f.Kind(fixture.Kind{Name: "poller: time.Sleep loop until stopping (owner alive)",
		Func: "main.pollFlag", State: "sleep", Count: pollers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "timer"})
	f.Kind(fixture.Kind{Name: "shard flusher: for range over a process-lifetime ticker",
		Func: "main.flushShard", State: "chan receive", Count: flushers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "retry loop: <-time.After until stopping (owner alive)",
		Func: "main.retryLater", State: "chan receive", Count: retriers, CreatedBy: "main.main",
		Pattern: "timer", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "forwarder: select on its input and its quit channel (pipe alive)",
		Func: "main.forward", State: "select", Count: forwarders, CreatedBy: "main.main",
		Pattern: "select-forever", StackOnly: "select-forever"})
	f.Kind(fixture.Kind{Name: "os/exec context watcher of a running job (context alive)",
		Func: execWatcher(), State: "select", Count: jobs, CreatedBy: execWatcherCreator(),
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts that run 400 jobs " +
		"through the pool and 400 values through the pipes; every loop's owner is alive and ends it at shutdown."
	f.Run()
}

// execWatcher is the function of os/exec's context watcher goroutine:
// Go 1.19 starts a closure in watchCtx, Go 1.20+ watchCtx itself from Start.
func execWatcher() string {
	if fixture.GoMinor() >= 20 {
		return "os/exec.(*Cmd).watchCtx"
	}
	return "os/exec.(*Cmd).watchCtx.func1"
}

func execWatcherCreator() string {
	if fixture.GoMinor() >= 20 {
		return "os/exec.(*Cmd).Start"
	}
	return "os/exec.(*Cmd).watchCtx"
}

func burst() {
	load.Burst(8, 50, func(w, i int) error {
		done := make(chan struct{})
		pool.jobs <- func() {
			mu.Lock()
			mu.Unlock()
			close(done)
		}
		<-done
		p := pipes[(w*50+i)%len(pipes)]
		p.in <- i
		<-p.out
		return nil
	})
}
