// Command panicparse-scan is gleak's bench peer: it reads a goroutine dump
// with maruel's panicparse ScanSnapshot alone (no argument naming, no path
// guessing, no source analysis: the cheapest scan the library offers), and
// with -aggregate also buckets it (Snapshot.Aggregate, quadratic in the
// number of goroutines).
//
// Built at bench time by bench/compare from the Go module proxy; the
// downloaded code is never committed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/maruel/panicparse/v2/stack"
)

func main() {
	aggregate := flag.Bool("aggregate", false, "also bucket similar goroutines (Aggregate(AnyPointer))")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: panicparse-scan [-aggregate] DUMP")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	defer f.Close()
	snap, _, err := stack.ScanSnapshot(bufio.NewReaderSize(f, 1<<20), io.Discard, &stack.Opts{})
	if err != nil && err != io.EOF {
		fmt.Fprintln(os.Stderr, "panicparse:", err)
		os.Exit(1)
	}
	if snap == nil {
		fmt.Fprintln(os.Stderr, "panicparse: no goroutines found")
		os.Exit(1)
	}
	msg := fmt.Sprintf("panicparse: %d goroutines", len(snap.Goroutines))
	if *aggregate {
		agg := snap.Aggregate(stack.AnyPointer)
		msg += fmt.Sprintf(", %d buckets", len(agg.Buckets))
	}
	fmt.Fprintln(os.Stderr, msg)
}
