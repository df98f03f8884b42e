// Command svcpool is a healthy worker pool under real load, then idle: 64
// workers share one jobs channel owned by a live Pool; between bursts of
// work they all wait on it, which looks like 64 goroutines stuck in a
// channel receive (chan-recv) but is the pool working as designed.
//
// Bursts: three before READY, one more per request to /load on the fixture
// server. Each burst submits 64 x 50 jobs (hashing a buffer) from 64
// goroutines and waits for every result.
package main

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	workers   = 64
	producers = 64
	perBurst  = 50 // jobs per producer and burst
)

// Pool is alive for the whole program: its jobs channel is never closed
// because the pool is never shut down.
type Pool struct {
	jobs chan job
	wg   sync.WaitGroup
}

type job struct {
	data []byte
	done chan<- [32]byte
}

var pool *Pool

func main() {
	f := fixture.New("svcpool")
	f.Expect(workers)
	pool = &Pool{jobs: make(chan job)}
	pool.Start(f, workers)
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.Kind(fixture.Kind{Name: "idle pool worker waiting on the shared jobs channel (pool alive)",
		Func: "main.(*Pool).worker", State: "chan receive", Count: workers, CreatedBy: "main.(*Pool).Start",
		Pattern: "chan-recv", StackOnly: "chan-recv",
		Objects: []fixture.Object{fixture.Obj("jobs", "chan", "recv", pool.jobs)}})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 3200 jobs."
	f.Run()
}

// Start starts n workers.
func (p *Pool) Start(f *fixture.F, n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker(f)
	}
}

func (p *Pool) worker(f *fixture.F) {
	defer p.wg.Done()
	f.Started()
	for j := range p.jobs {
		j.done <- sha256.Sum256(j.data)
	}
}

// Submit runs one job on the pool and waits for its result.
func (p *Pool) Submit(data []byte) [32]byte {
	done := make(chan [32]byte, 1)
	p.jobs <- job{data: data, done: done}
	return <-done
}

func burst() {
	load.Burst(producers, perBurst, func(w, i int) error {
		sum := pool.Submit([]byte(fmt.Sprintf("job %d/%d", w, i)))
		if sum == [32]byte{} {
			return fmt.Errorf("empty hash")
		}
		return nil
	})
}
