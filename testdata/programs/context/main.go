// Command context parks goroutines on contexts that are never cancelled, in
// three shapes, each at its own code site:
//
//   - 25 waiters on <-ctx.Done() of a context.WithCancel whose cancel func
//     was dropped,
//   - 25 workers selecting on ctx.Done() of a never-cancelled context and a
//     work channel nobody feeds,
//   - 25 contexts derived (WithCancel, cancel dropped) from a parent of a
//     custom Context type that is not a context package type: the context
//     package cannot link the child to it and starts its own watcher
//     goroutine (propagateCancel) for each child, which waits until the
//     parent or the child is done, i.e. forever.
package main

import (
	"context"
	"time"

	"gleak.test/programs/internal/fixture"
)

const (
	waiters  = 25
	workers  = 25
	children = 25
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
	for i := 0; i < children; i++ {
		deriveFromShutdown()
	}

	f.Kind(fixture.Kind{Name: "waiting on ctx.Done() of a never-cancelled context", Func: "main.waitForCancel",
		State: "chan receive", Count: waiters, CreatedBy: "main.main", Leak: true,
		Pattern: "context", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "worker selecting on ctx.Done() and an idle work channel", Func: "main.worker",
		State: "select", Count: workers, CreatedBy: "main.main", Leak: true,
		Pattern: "context", StackOnly: "select-forever", Leaking: true})
	// The watcher's frames and creator are context package functions, so
	// even debug=1 shows what it is.
	watcher, creator := "context.propagateCancel.func1", "context.propagateCancel"
	if fixture.GoMinor() >= 21 {
		watcher, creator = "context.(*cancelCtx).propagateCancel.func2", "context.(*cancelCtx).propagateCancel"
	}
	f.Kind(fixture.Kind{Name: "context package watcher of a child of a custom parent Context", Func: watcher,
		State: "select", Count: children, CreatedBy: creator, Leak: true,
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context", Leaking: true})
	f.Note = "The propagateCancel watchers were started by context.WithCancel in main.deriveFromShutdown; " +
		"their stacks hold only context package frames."
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

// shutdownCtx is a hand-written Context that is done when its server shuts
// down (never, here). Not being a context package type, children derived
// from it need a watcher goroutine of the context package.
type shutdownCtx struct{ done chan struct{} }

func (c *shutdownCtx) Deadline() (time.Time, bool)       { return time.Time{}, false }
func (c *shutdownCtx) Done() <-chan struct{}             { return c.done }
func (c *shutdownCtx) Err() error                        { return nil }
func (c *shutdownCtx) Value(key interface{}) interface{} { return nil }

// deriveFromShutdown derives a request context and forgets its cancel func.
func deriveFromShutdown() {
	parent := &shutdownCtx{done: make(chan struct{})}
	ctx, _ := context.WithCancel(parent) // cancel dropped: the watcher stays
	_ = ctx
}
