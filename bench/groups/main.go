// Command groups parks goroutines on N call paths of their own and writes
// their dump (runtime.Stack of every goroutine, what
// /debug/pprof/goroutine?debug=2 serves), so that gleak sees N distinct groups
// at --group-by line: the input of the HTML report's size and load-time
// measurement (bench/html_report, docs/formats-html.md).
//
// Goroutine path p descends through `bits` calls, each to a left or a right
// function by one bit of p, and then waits: a stack of its own. Path p has 1 + p%3
// goroutines, and they wait in one of five ways (channel receive and send,
// select, mutex, WaitGroup), so the groups differ in count, state and pattern.
// One more group of 50 senders is a leak suspect.
//
//	go run . -n 10000 -o /tmp/groups10k.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

var (
	nFlag   = flag.Int("n", 10000, "distinct call paths (groups)")
	outFlag = flag.String("o", "", "write the dump to this file")
)

var (
	ready   sync.WaitGroup
	never   = make(chan int)
	results = make(chan int)
	mu      sync.Mutex
	pending sync.WaitGroup
)

func wait(kind int) {
	ready.Done()
	switch kind {
	case 0:
		<-never
	case 1:
		results <- 1
	case 2:
		select {
		case <-never:
		case <-time.After(24 * time.Hour):
		}
	case 3:
		mu.Lock()
	default:
		pending.Wait()
	}
}

// The even and odd levels call through different functions, so that no two
// frames in a row are the same (gleak collapses a run of one frame, as
// recursion prints it, into one).
func evenLeft(path uint32, depth, kind int) {
	if depth == 0 {
		wait(kind)
	} else if path&1 == 0 {
		oddLeft(path>>1, depth-1, kind)
	} else {
		oddRight(path>>1, depth-1, kind)
	}
}

func evenRight(path uint32, depth, kind int) {
	if depth == 0 {
		wait(kind)
	} else if path&1 == 0 {
		oddLeft(path>>1, depth-1, kind)
	} else {
		oddRight(path>>1, depth-1, kind)
	}
}

func oddLeft(path uint32, depth, kind int) {
	if depth == 0 {
		wait(kind)
	} else if path&1 == 0 {
		evenLeft(path>>1, depth-1, kind)
	} else {
		evenRight(path>>1, depth-1, kind)
	}
}

func oddRight(path uint32, depth, kind int) {
	if depth == 0 {
		wait(kind)
	} else if path&1 == 0 {
		evenLeft(path>>1, depth-1, kind)
	} else {
		evenRight(path>>1, depth-1, kind)
	}
}

func abandonedSender() {
	ready.Done()
	results <- 1
}

func main() {
	flag.Parse()
	if *outFlag == "" || *nFlag < 1 {
		fmt.Fprintln(os.Stderr, "usage: groups -n N -o FILE")
		os.Exit(2)
	}
	bits := 0
	for (1 << bits) < *nFlag {
		bits++
	}
	mu.Lock()
	pending.Add(1)
	for p := 0; p < *nFlag; p++ {
		for k := 0; k <= p%3; k++ {
			ready.Add(1)
			go evenLeft(uint32(p), bits, p%5)
		}
	}
	for k := 0; k < 50; k++ {
		ready.Add(1)
		go abandonedSender()
	}
	ready.Wait()
	time.Sleep(200 * time.Millisecond) // let the last ones park
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	if err := os.WriteFile(*outFlag, buf, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
