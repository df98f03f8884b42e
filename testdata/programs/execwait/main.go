// Command execwait leaks os/exec's context watchers: 20 children started
// with exec.CommandContext on a context whose cancel function is dropped,
// with Start and never Wait (main.startHelper). Each keeps the exec
// package's watcher goroutine waiting on the context (Go 1.20+:
// os/exec.(*Cmd).watchCtx created by os/exec.(*Cmd).Start; Go 1.19:
// os/exec.(*Cmd).watchCtx.func1 created by os/exec.(*Cmd).watchCtx).
//
// The child is `cat` reading a pipe whose write end this process keeps
// open and never writes: it runs as long as the program and exits on
// end-of-file when the program dies.
package main

import (
	"context"
	"io"
	"os/exec"

	"gleak.test/programs/internal/fixture"
)

const children = 20

var stdins []io.WriteCloser // kept open: the children run until the program exits

func main() {
	f := fixture.New("execwait")
	for i := 0; i < children; i++ {
		if err := startHelper(); err != nil {
			panic(err)
		}
	}
	watcher, createdBy := "os/exec.(*Cmd).watchCtx", "os/exec.(*Cmd).Start"
	if fixture.GoMinor() < 20 {
		watcher, createdBy = "os/exec.(*Cmd).watchCtx.func1", "os/exec.(*Cmd).watchCtx"
	}
	f.Kind(fixture.Kind{Name: "os/exec context watcher of a child started and never waited for (cancel dropped)",
		Func: watcher, State: "select", Count: children, CreatedBy: createdBy,
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context", Leaking: true})
	f.Note = "pattern_stack_only context for os/exec's watcher is the standard library's knowledge (issue 12, point 3)."
	f.Run()
}

// startHelper starts a helper process and forgets it (BUG: no Wait, cancel dropped).
func startHelper() error {
	ctx, _ := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "cat")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdins = append(stdins, in)
	return cmd.Start()
}
