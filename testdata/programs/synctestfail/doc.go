// Package synctestfail holds a test whose testing/synctest bubble
// deadlocks (Go 1.25+): the test panics with "deadlock: all goroutines in
// bubble are blocked" and prints the bubble's goroutines, each marked
// (durable). Run by testdata/regen with go test -args -capture synctest.
package synctestfail
