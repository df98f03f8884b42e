//go:build go1.27

// Generic methods (methods with their own type parameters) are Go 1.27's;
// the build constraint lets this file use them in a go 1.19 module.
package main

type Box struct{ id int }

// Put sends v on out; nobody receives.
func (b *Box) Put[T any](v T, out chan<- T) {
	f.Started()
	out <- v
}

type Table[K comparable] struct{ keys []K }

// Lookup waits for a value that never comes.
func (t Table[K]) Lookup[V any](in <-chan V) V {
	f.Started()
	return <-in
}

// Registered by a package-level variable, not by init: an init function
// here would be main.init.0 and renumber main.go's.
var _ = addMore(startGenericMethods)

func startGenericMethods(k func(name, fn, state, createdBy string, n int)) {
	f.Expect(2)
	go (&Box{}).Put("x", make(chan string))
	go Table[int]{}.Lookup(make(chan float64))
	k("generic method", "main.(*Box).Put[...]", "chan send", "main.startGenericMethods", 1)
	k("generic method of a generic type", "main.Table[...].Lookup[...]", "chan receive", "main.startGenericMethods", 1)
}
