// Command context parks goroutines on contexts that are never cancelled:
// waiters on <-ctx.Done() of a context.WithCancel whose cancel func was
// dropped, and workers selecting on ctx.Done() and a work channel nobody
// feeds.
package main

import (
	"context"

	"gleak.test/programs/internal/fixture"
)

const (
	waiters = 6
	workers = 4
)

func main() {
	f := fixture.New("context")
	f.Expect(waiters + workers)

	for i := 0; i < waiters; i++ {
		ctx, _ := context.WithCancel(context.Background()) // cancel dropped: the leak
		go waitForCancel(f, ctx)
	}
	ctx, _ := context.WithCancel(context.Background())
	work := make(chan int)
	for i := 0; i < workers; i++ {
		go worker(f, ctx, work)
	}

	f.Kind(fixture.Kind{Name: "waiting on ctx.Done() of a never-cancelled context", Func: "main.waitForCancel",
		State: "chan receive", Count: waiters, CreatedBy: "main.main", Leak: true})
	f.Kind(fixture.Kind{Name: "worker selecting on ctx.Done() and an idle work channel", Func: "main.worker",
		State: "select", Count: workers, CreatedBy: "main.main", Leak: true})
	f.Run()
}

func waitForCancel(f *fixture.F, ctx context.Context) {
	f.Started()
	<-ctx.Done()
}

func worker(f *fixture.F, ctx context.Context, work <-chan int) {
	f.Started()
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-work:
			_ = w
		}
	}
}
