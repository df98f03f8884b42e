// Package goleakfail13 holds a test that leaks goroutines and fails
// go.uber.org/goleak v1.3.0's VerifyNone check. Unlike v1.2, v1.3 prints no
// "goroutine N [state]:" line: each stack opens with goleak's own
// "Goroutine N in state S, with F on top of the stack:".
package goleakfail13
