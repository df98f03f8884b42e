// Command nilchan parks goroutines on operations on nil channels, which can
// never proceed (the runtime knows it: the states say "(nil chan)"), each
// shape at its own code site:
//
//   - 20 senders on a nil channel (a notifier whose events channel was
//     never made),
//   - 60 goroutines receiving from a nil channel (a session whose done
//     channel was never made).
package main

import (
	"gleak.test/programs/internal/fixture"
)

const (
	nilSenders = 20
	nilWaiters = 60
)

func main() {
	f := fixture.New("nilchan")
	f.Expect(nilSenders + nilWaiters)

	for i := 0; i < nilSenders; i++ {
		var n notifier // events never made
		go n.notify(f, i)
	}
	for i := 0; i < nilWaiters; i++ {
		s := &session{} // done never made
		go s.wait(f)
	}

	f.Kind(fixture.Kind{Name: "send on a nil channel", Func: "main.notifier.notify", State: "chan send (nil chan)",
		Count: nilSenders, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-send", StackOnly: "chan-send", Leaking: true})
	f.Kind(fixture.Kind{Name: "receive from a nil channel", Func: "main.(*session).wait", State: "chan receive (nil chan)",
		Count: nilWaiters, CreatedBy: "main.main", Leak: true,
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Run()
}

// notifier's events channel is never made, so every notify blocks for good.
type notifier struct{ events chan int }

func (n notifier) notify(f *fixture.F, v int) {
	f.Started()
	n.events <- v
}

type session struct {
	done chan struct{} // never made
}

func (s *session) wait(f *fixture.F) {
	f.Started()
	<-s.done
}
