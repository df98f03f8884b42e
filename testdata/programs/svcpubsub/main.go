// Command svcpubsub is a healthy pub/sub fan-out under real load, then idle:
// a live Broker's publisher loop receives messages and fans each out to 100
// subscribers, each ranging over its own channel. Between bursts every
// subscriber waits in its range (chan receive) and the publisher waits for
// the next message: 100 + 1 goroutines that look stuck but are the broker
// working as designed (nothing closes their channels because nothing shuts
// the broker down).
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each publishes 200 messages from 8 goroutines and waits until
// every subscriber has seen all of them.
package main

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	subscribers = 100
	publishers  = 8
	perBurst    = 25 // messages per publisher and burst
)

type Broker struct {
	in   chan string
	subs []*subscriber
}

type subscriber struct {
	ch   chan string
	seen int64
}

var (
	broker    *Broker
	published int64
)

func main() {
	f := fixture.New("svcpubsub")
	f.Expect(subscribers + 1)
	broker = &Broker{in: make(chan string)}
	for i := 0; i < subscribers; i++ {
		s := &subscriber{ch: make(chan string, 4)}
		broker.subs = append(broker.subs, s)
		go s.run(f)
	}
	go broker.publishLoop(f)
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.Kind(fixture.Kind{Name: "subscriber ranging over its own channel (broker alive)",
		Func: "main.(*subscriber).run", State: "chan receive", Count: subscribers, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "publisher loop waiting for the next message",
		Func: "main.(*Broker).publishLoop", State: "chan receive", Count: 1, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv",
		Objects: []fixture.Object{fixture.Obj("broker.in", "chan", "recv", broker.in)}})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 200 messages fanned out to 100 subscribers."
	f.Run()
}

func (s *subscriber) run(f *fixture.F) {
	f.Started()
	for msg := range s.ch {
		_ = len(msg)
		atomic.AddInt64(&s.seen, 1)
	}
}

func (b *Broker) publishLoop(f *fixture.F) {
	f.Started()
	for msg := range b.in {
		for _, s := range b.subs {
			s.ch <- msg
		}
	}
}

func burst() {
	load.Burst(publishers, perBurst, func(w, i int) error {
		broker.in <- fmt.Sprintf("message %d/%d", w, i)
		atomic.AddInt64(&published, 1)
		return nil
	})
	want := atomic.LoadInt64(&published)
	load.WaitUntil("every subscriber has seen every message", func() bool {
		for _, s := range broker.subs {
			if atomic.LoadInt64(&s.seen) != want {
				return false
			}
		}
		return true
	})
}
