// Package testtimeout holds a test that hangs, to be run with
// `go test -timeout 2s` so that the testing package panics with
// "test timed out after 2s" and dumps all goroutines.
package testtimeout
