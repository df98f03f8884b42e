// Package load drives bounded bursts of real work against the fixture
// services: a fixed number of requests from a fixed number of goroutines,
// with a time limit, after which the service is left idle for the dump.
package load

import (
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Limit bounds one burst in time; a burst that takes longer is a bug.
const Limit = 20 * time.Second

// Burst runs do(worker, i) for i in [0, perWorker) from each of workers
// goroutines at once and returns when all are done. It stops the program
// if the burst does not finish within Limit or any call fails.
func Burst(workers, perWorker int, do func(worker, i int) error) {
	var wg sync.WaitGroup
	var failed atomic.Value
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if err := do(w, i); err != nil {
					failed.Store(err)
					return
				}
			}
		}(w)
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(Limit):
		fatal(fmt.Errorf("burst of %d x %d not done after %v", workers, perWorker, Limit))
	}
	if err, ok := failed.Load().(error); ok {
		fatal(err)
	}
}

// WaitUntil polls cond every 5 ms until it holds, or stops the program
// after Limit.
func WaitUntil(what string, cond func() bool) {
	deadline := time.Now().Add(Limit)
	for !cond() {
		if time.Now().After(deadline) {
			fatal(fmt.Errorf("timed out waiting until %s", what))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Conns counts the open connections of a dialer or listener.
type Conns struct{ n int64 }

// Open returns the number of connections not yet closed.
func (c *Conns) Open() int { return int(atomic.LoadInt64(&c.n)) }

// Track wraps conn so that Close decrements the count once.
func (c *Conns) Track(conn net.Conn) net.Conn {
	atomic.AddInt64(&c.n, 1)
	return &trackedConn{Conn: conn, owner: c}
}

type trackedConn struct {
	net.Conn
	owner *Conns
	once  sync.Once
}

func (t *trackedConn) Close() error {
	t.once.Do(func() { atomic.AddInt64(&t.owner.n, -1) })
	return t.Conn.Close()
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "load: %v\n", err)
	os.Exit(3)
}
