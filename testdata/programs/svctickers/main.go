// Command svctickers runs many stoppable ticker loops, healthy: each is
// owned by a live component that stops it (a stop channel, or a context
// whose cancel function the owner keeps), and components come and go under
// load. Between bursts the live loops wait in their select on the ticker
// and the way out.
//
//   - 40 Pollers: `select { case <-p.t.C: ...; case <-p.stop: return }`
//     (main.(*Poller).loop; from the stack alone a plain select);
//   - 20 refreshers: `select { case <-t.C: ...; case <-ctx.Done(): return }`
//     (main.refreshEvery, whose name the timer rule recognises).
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each starts and stops 200 short-lived pollers from 8 goroutines
// (their tickers fire every millisecond while they live).
package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	pollers    = 40
	refreshers = 20
)

type Poller struct {
	t    *time.Ticker
	stop chan struct{}
	done chan struct{}
	hits int
}

var (
	live    []*Poller
	cancels []context.CancelFunc
	mu      sync.Mutex
)

func StartPoller(f *fixture.F, every time.Duration) *Poller {
	p := &Poller{t: time.NewTicker(every), stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop(f)
	return p
}

// Stop ends the loop and waits for it.
func (p *Poller) Stop() {
	close(p.stop)
	<-p.done
}

func (p *Poller) loop(f *fixture.F) {
	defer close(p.done)
	defer p.t.Stop()
	if f != nil {
		f.Started()
	}
	for {
		select {
		case <-p.t.C:
			p.hits++
		case <-p.stop:
			return
		}
	}
}

func refreshEvery(f *fixture.F, ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	f.Started()
	for {
		select {
		case <-t.C:
			mu.Lock()
			mu.Unlock()
		case <-ctx.Done():
			return
		}
	}
}

func main() {
	f := fixture.New("svctickers")
	f.Expect(pollers + refreshers)
	for i := 0; i < pollers; i++ {
		live = append(live, StartPoller(f, time.Minute))
	}
	for i := 0; i < refreshers; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancels = append(cancels, cancel) // kept: the owner cancels at shutdown
		go refreshEvery(f, ctx, 2*time.Minute)
	}
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.Kind(fixture.Kind{Name: "poller loop: select on its ticker and its stop channel (owner alive)",
		Func: "main.(*Poller).loop", State: "select", Count: pollers, CreatedBy: "main.StartPoller",
		Pattern: "timer", StackOnly: "select-forever"})
	f.Kind(fixture.Kind{Name: "refresher: select on its ticker and ctx.Done() (cancel kept by the owner)",
		Func: "main.refreshEvery", State: "select", Count: refreshers, CreatedBy: "main.main",
		// the timer rule's name clause (every) on a select
		Pattern: "timer", StackOnly: "timer"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts that start and stop 200 " +
		"short-lived pollers; the live loops' tickers fire every minute or two, so none fires during the dump."
	f.Run()
}

func burst() {
	load.Burst(8, 25, func(w, i int) error {
		p := StartPoller(nil, time.Millisecond)
		time.Sleep(2 * time.Millisecond)
		p.Stop()
		return nil
	})
}
