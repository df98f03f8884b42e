// Package goleakfail holds a test that leaks goroutines and fails
// go.uber.org/goleak's VerifyNone check ("found unexpected goroutines").
package goleakfail
