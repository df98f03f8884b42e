// Command zoo parks goroutines in the ways the other programs do not: in a
// raw system call, locked to its thread, with many and nested arguments
// (which tracebacks elide), in an inlined function, as an RWMutex writer, in
// time.Sleep, in a package whose import path needs escaping, and one method
// started from two go statements. Few goroutines of each kind, as in a
// healthy program; none is a suspect at the default thresholds.
package main

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"gleak.test/programs/internal/fixture"
	dotted "gleak.test/programs/zoo/dotted.v2"
)

var (
	f     *fixture.F
	never = make(chan struct{})
	rw    sync.RWMutex
)

// readPipe blocks in read(2) on a pipe nobody writes to.
func readPipe(fd int) {
	f.Started()
	buf := make([]byte, 1)
	syscall.Read(fd, buf)
}

// lockedWait holds its OS thread while it waits.
func lockedWait() {
	runtime.LockOSThread()
	f.Started()
	<-never
}

//go:noinline
func manyArgs(a, b, c, d, e, g, h, i, j, k, l, m, n int) {
	f.Started()
	<-never
}

type level6 struct{ v int }
type level5 struct{ l level6 }
type level4 struct{ l level5 }
type level3 struct{ l level4 }
type level2 struct{ l level3 }
type level1 struct{ l level2 }

//go:noinline
func structArgs(s string, xs []int, v interface{}, nested level1) {
	f.Started()
	<-never
}

func receive(c chan int) int { return <-c } // small enough to be inlined

func inlinedWait(c chan int) {
	f.Started()
	receive(c)
}

func writeLocked() {
	f.Started()
	rw.Lock()
}

func sleepLong() {
	f.Started()
	time.Sleep(24 * time.Hour)
}

type task struct{ queue chan int }

func (t *task) Run() {
	f.Started()
	<-t.queue
}

func main() {
	f = fixture.New("zoo")
	f.Expect(11)

	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	defer w.Close()
	go readPipe(int(r.Fd()))
	go lockedWait()
	go manyArgs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
	go structArgs("text", []int{1, 2}, 3.5, level1{})
	go inlinedWait(make(chan int))
	rw.RLock() // held by main: the writer waits for good
	go writeLocked()
	go sleepLong()
	go dotted.Block(f.Started, never)
	t := &task{queue: make(chan int)}
	go t.Run() // one method, three go statements
	go t.Run()
	go (&task{queue: make(chan int)}).Run()

	rwState := "semacquire"
	if fixture.GoMinor() >= 20 {
		rwState = "sync.RWMutex.Lock"
	}
	k := func(name, fn, state string, n int, pattern string) {
		f.Kind(fixture.Kind{Name: name, Func: fn, State: state, Count: n, CreatedBy: "main.main",
			Pattern: pattern, StackOnly: pattern})
	}
	k("read(2) on an empty pipe", "main.readPipe", "syscall", 1, "io")
	k("locked to its thread", "main.lockedWait", "chan receive", 1, "chan-recv")
	k("thirteen arguments", "main.manyArgs", "chan receive", 1, "chan-recv")
	k("string, slice, interface and nested struct arguments", "main.structArgs", "chan receive", 1, "chan-recv")
	k("blocked in an inlined function", "main.inlinedWait", "chan receive", 1, "chan-recv")
	k("RWMutex writer behind a reader that never unlocks", "main.writeLocked", rwState, 1, "mutex")
	k("sleeping for a day", "main.sleepLong", "sleep", 1, "timer")
	k("in a package with a dot in its path", "gleak.test/programs/zoo/dotted%2ev2.Block", "chan receive", 1, "chan-recv")
	k("one method started from three go statements", "main.(*task).Run", "chan receive", 3, "chan-recv")
	if f.Capture() == "crash" {
		// A goroutine that never blocks, in the crash dump only. No kind: it
		// is printed running or runnable, with or without its stack, as the
		// timing of the signal has it.
		go spin()
	}
	f.Run()
}

func spin() {
	for {
	}
}
