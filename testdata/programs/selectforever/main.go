// Command selectforever parks goroutines in selects that can never proceed,
// each shape at its own code site:
//
//   - 60 goroutines ending in `select {}` (a component's Run that "keeps
//     the goroutine alive" after starting its work),
//   - 60 relays selecting on an input nobody sends to and an output nobody
//     receives from (both ends gone).
package main

import (
	"gleak.test/programs/internal/fixture"
)

const (
	parked = 60
	relays = 60
)

func main() {
	f := fixture.New("selectforever")
	f.Expect(parked + relays)

	for i := 0; i < parked; i++ {
		p := &plugin{name: "p"}
		go p.Run(f)
	}
	for i := 0; i < relays; i++ {
		in, out := make(chan int), make(chan int)
		go relay(f, in, out)
	}

	f.Kind(fixture.Kind{Name: "select {} in a goroutine", Func: "main.(*plugin).Run", State: "select (no cases)",
		Count: parked, CreatedBy: "main.main", Leak: true,
		Pattern: "select-forever", StackOnly: "select-forever", Leaking: true})
	f.Kind(fixture.Kind{Name: "select whose peers are all gone", Func: "main.relay", State: "select",
		Count: relays, CreatedBy: "main.main", Leak: true,
		Pattern: "select-forever", StackOnly: "select-forever", Leaking: true})
	f.Run()
}

type plugin struct{ name string }

// Run starts nothing worth waiting for and then blocks "to stay alive".
func (p *plugin) Run(f *fixture.F) {
	f.Started()
	select {}
}

// relay passes values from in to out; both ends are gone.
func relay(f *fixture.F, in <-chan int, out chan<- int) {
	f.Started()
	v := 0
	for {
		select {
		case v = <-in:
		case out <- v:
		}
	}
}
