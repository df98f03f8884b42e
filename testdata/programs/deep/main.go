// Command deep parks goroutines at the bottom of deep recursions: some 150
// calls deep (more than the 100 frames a traceback prints and the 32/128
// frames a count profile keeps) and some 20 calls deep.
package main

import (
	"gleak.test/programs/internal/fixture"
)

const (
	deepCount    = 3
	deepDepth    = 150
	shallowCount = 4
	shallowDepth = 20
)

var never = make(chan struct{})

func main() {
	f := fixture.New("deep")
	f.Expect(deepCount + shallowCount)
	for i := 0; i < deepCount; i++ {
		go recurse(f, deepDepth, deepLeaf)
	}
	for i := 0; i < shallowCount; i++ {
		go recurse(f, shallowDepth, shallowLeaf)
	}
	f.Kind(fixture.Kind{Name: "blocked 150 calls deep", Func: "main.deepLeaf",
		State: "chan receive", Count: deepCount, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "blocked 20 calls deep", Func: "main.shallowLeaf",
		State: "chan receive", Count: shallowCount, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Run()
}

func recurse(f *fixture.F, depth int, leaf func(*fixture.F)) int {
	if depth == 0 {
		leaf(f)
		return 0
	}
	return recurse(f, depth-1, leaf) + 1
}

func deepLeaf(f *fixture.F) {
	f.Started()
	<-never
}

func shallowLeaf(f *fixture.F) {
	f.Started()
	<-never
}
