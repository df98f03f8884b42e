// Command gostackparse-group is gleak's bench peer: it parses a goroutine
// dump with DataDog's gostackparse and groups goroutines with identical
// stacks (state, every frame's function, file and line, and the creator),
// which is what `gleak analyze` does at its default --group-by line.
//
// Built at bench time by bench/compare from the Go module proxy; the
// downloaded code is never committed.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/DataDog/gostackparse"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gostackparse-group DUMP")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	defer f.Close()
	goroutines, errs := gostackparse.Parse(bufio.NewReaderSize(f, 1<<20))

	type group struct {
		key   string
		count int
	}
	index := map[string]int{}
	var groups []group
	var b strings.Builder
	frame := func(fr *gostackparse.Frame) {
		b.WriteString(fr.Func)
		b.WriteByte(' ')
		b.WriteString(fr.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(fr.Line))
		b.WriteByte('\n')
	}
	for _, g := range goroutines {
		b.Reset()
		b.WriteString(g.State)
		b.WriteByte('\n')
		for _, fr := range g.Stack {
			frame(fr)
		}
		if g.CreatedBy != nil {
			b.WriteString("created by ")
			frame(g.CreatedBy)
		}
		key := b.String()
		if i, ok := index[key]; ok {
			groups[i].count++
		} else {
			index[key] = len(groups)
			groups = append(groups, group{key, 1})
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].count > groups[j].count })
	fmt.Fprintf(os.Stderr, "gostackparse: %d goroutines, %d groups, %d errors\n", len(goroutines), len(groups), len(errs))
	if len(groups) > 0 {
		top := groups[0].key
		if i := strings.IndexByte(top, '\n'); i >= 0 {
			top = top[:i]
		}
		fmt.Printf("largest group: %d goroutines [%s]\n", groups[0].count, top)
	}
}
