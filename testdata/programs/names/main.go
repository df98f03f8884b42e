// Command names parks goroutines whose stacks show the different shapes of
// Go function names: generic functions and methods of generic types,
// closures nested in closures, a closure in a generic function, a method
// value, value and pointer receivers, goroutines started from init, and a
// chain of goroutines each started by the previous one (for
// GODEBUG=tracebackancestors).
package main

import (
	"strconv"
	"sync"

	"gleak.test/programs/internal/fixture"
)

var (
	never   = make(chan struct{})
	initWG  sync.WaitGroup
	f       *fixture.F
	initOut = make(chan int)
)

func init() {
	initWG.Add(2)
	go initWatcher()
	go initWatcher()
}

func initWatcher() {
	initWG.Done()
	<-never
}

// Map sends fn(v) for every v to out; nobody receives.
func Map[T, U any](in []T, fn func(T) U, out chan<- U) {
	f.Started()
	for _, v := range in {
		out <- fn(v)
	}
}

// Queue is a generic queue whose Pop blocks while it is empty.
type Queue[T any] struct{ items chan T }

func (q *Queue[T]) Pop() T {
	f.Started()
	return <-q.items
}

// Spawn starts a goroutine from a closure inside a generic function.
func Spawn[T any](v T) {
	go func() {
		f.Started()
		<-never
		_ = v
	}()
}

type Server struct{ requests chan string }

func (s *Server) handle() {
	f.Started()
	<-s.requests
}

func (s *Server) drain() {
	f.Started()
	for r := range s.requests {
		_ = r
	}
}

type Pair struct{ A, B int }

func (p Pair) send(out chan<- Pair) {
	f.Started()
	out <- p
}

func nested() {
	go func() {
		inner := func() {
			f.Started()
			<-never
		}
		inner()
	}()
}

func level1() {
	f.Started()
	go level2()
	<-never
}

func level2() {
	f.Started()
	go level3()
	<-never
}

func level3() {
	f.Started()
	<-never
}

// more holds shapes only newer Go versions can print (files with a go1.N
// build constraint add to it): each starts its goroutines and records them
// with k.
var more []func(k func(name, fn, state, createdBy string, n int))

func addMore(start func(k func(name, fn, state, createdBy string, n int))) bool {
	more = append(more, start)
	return true
}

func main() {
	f = fixture.New("names")
	initWG.Wait()
	f.Expect(10)

	go Map([]int{1, 2, 3}, strconv.Itoa, make(chan string))
	q := &Queue[string]{items: make(chan string)}
	go q.Pop()
	Spawn(3.5)
	s := &Server{requests: make(chan string)}
	go s.handle()
	drain := s.drain // method value
	go drain()
	go Pair{1, 2}.send(make(chan Pair))
	nested()
	go level1()

	// Every one of them blocks for good on a channel nobody serves: small
	// leaks, too few goroutines to be suspects at the default thresholds.
	k := func(name, fn, state, createdBy string, n int) {
		pattern := map[string]string{"chan send": "chan-send", "chan receive": "chan-recv"}[state]
		f.Kind(fixture.Kind{Name: name, Func: fn, State: state, Count: n, CreatedBy: createdBy,
			Pattern: pattern, StackOnly: pattern, Leaking: true})
	}
	k("started from init", "main.initWatcher", "chan receive", "main.init.0", 2)
	k("generic function", "main.Map[...]", "chan send", "main.main", 1)
	k("method of a generic type", "main.(*Queue[...]).Pop", "chan receive", "main.main", 1)
	k("closure in a generic function", "main.Spawn[...].func1", "chan receive", "main.Spawn[...]", 1)
	k("pointer receiver", "main.(*Server).handle", "chan receive", "main.main", 1)
	k("method value", "main.(*Server).drain", "chan receive", "main.main", 1)
	k("value receiver", "main.Pair.send", "chan send", "main.main", 1)
	k("closure nested in a closure", "main.nested.func1.1", "chan receive", "main.nested", 1)
	k("goroutine chain, first", "main.level1", "chan receive", "main.main", 1)
	k("goroutine chain, second", "main.level2", "chan receive", "main.level1", 1)
	k("goroutine chain, third", "main.level3", "chan receive", "main.level2", 1)
	for _, start := range more {
		start(k)
	}
	f.Run()
}
