// Command locks parks goroutines behind locks that are never released and on
// a condition nobody signals, each shape at its own code site:
//
//   - 30 goroutines queued in sync.Mutex.Lock: an earlier caller returned on
//     an error path without Unlock,
//   - 20 readers queued in sync.RWMutex.RLock behind a writer that took the
//     write lock and returned early without Unlock,
//   - 20 goroutines in sync.Cond.Wait for a "ready" broadcast that the
//     (returned) loader never sends.
package main

import (
	"errors"
	"sync"

	"gleak.test/programs/internal/fixture"
)

const (
	lockWaiters = 30
	readers     = 20
	condWaiters = 20
)

type cache struct {
	mu    sync.Mutex
	items map[string]int
}

// set forgets to unlock when the key is empty.
func (c *cache) set(key string, v int) error {
	c.mu.Lock()
	if key == "" {
		return errors.New("empty key") // BUG: c.mu stays locked
	}
	c.items[key] = v
	c.mu.Unlock()
	return nil
}

type config struct {
	mu   sync.RWMutex
	vals map[string]string
}

// reload takes the write lock and returns early on a bad source.
func (c *config) reload(src string) error {
	c.mu.Lock()
	if src == "" {
		return errors.New("no source") // BUG: write lock never released
	}
	c.vals = map[string]string{"src": src}
	c.mu.Unlock()
	return nil
}

type loader struct {
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
}

func main() {
	f := fixture.New("locks")
	f.Expect(lockWaiters + readers + condWaiters)

	c := &cache{items: map[string]int{}}
	_ = c.set("", 0)
	for i := 0; i < lockWaiters; i++ {
		go updateCache(f, c, i)
	}

	cfg := &config{}
	_ = cfg.reload("")
	for i := 0; i < readers; i++ {
		go readConfig(f, cfg)
	}

	l := &loader{}
	l.cond = sync.NewCond(&l.mu)
	for i := 0; i < condWaiters; i++ {
		go awaitLoaded(f, l)
	}
	// The loader that should set ready and Broadcast fails and is gone.

	f.Kind(fixture.Kind{Name: "queued on a mutex an error path never unlocked", Func: "main.updateCache",
		State: fixture.MutexState(), Count: lockWaiters, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true})
	f.Kind(fixture.Kind{Name: "readers queued behind a write lock never released", Func: "main.readConfig",
		State: fixture.RWMutexRLockState(), Count: readers, CreatedBy: "main.main", Leak: true,
		Pattern: "mutex", StackOnly: "mutex", Leaking: true})
	f.Kind(fixture.Kind{Name: "waiting on a sync.Cond nobody signals", Func: "main.awaitLoaded",
		State: "sync.Cond.Wait", Count: condWaiters, CreatedBy: "main.main", Leak: true,
		Pattern: "cond", StackOnly: "cond", Leaking: true})
	f.Run()
}

func updateCache(f *fixture.F, c *cache, v int) {
	f.Started()
	_ = c.set("k", v)
}

func readConfig(f *fixture.F, c *config) string {
	f.Started()
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.vals["src"]
}

func awaitLoaded(f *fixture.F, l *loader) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.Started()
	for !l.ready {
		l.cond.Wait()
	}
}
