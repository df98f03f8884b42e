// Command svcpipeline is a healthy pipeline of stages connected by
// channels, under real load, then idle: parse (16 workers) -> transform (64)
// -> encode (16) -> sink (1). The pipeline lives as long as the program
// (its input is never closed), so between bursts every stage waits in a
// range over its input channel: 97 goroutines in chan receive.
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each feeds 5000 records from 10 goroutines and waits until the
// sink has counted all of them.
package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	parsers      = 16
	transformers = 64
	encoders     = 16
	feeders      = 10
	perFeeder    = 500
)

var (
	input   = make(chan string)
	parsed  = make(chan int)
	changed = make(chan int)
	encoded = make(chan string)
	fed     int64
	sunk    int64
)

func main() {
	f := fixture.New("svcpipeline")
	f.Expect(parsers + transformers + encoders + 1)
	for i := 0; i < parsers; i++ {
		go parseStage(f, input, parsed)
	}
	for i := 0; i < transformers; i++ {
		go transformStage(f, parsed, changed)
	}
	for i := 0; i < encoders; i++ {
		go encodeStage(f, changed, encoded)
	}
	go sink(f, encoded)
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	stage := func(name, fn string, n int, in interface{}) {
		f.Kind(fixture.Kind{Name: name, Func: fn, State: "chan receive", Count: n, CreatedBy: "main.main",
			Pattern: "chan-recv", StackOnly: "chan-recv",
			Objects: []fixture.Object{fixture.Obj(strings.Fields(name)[0], "chan", "recv", in)}})
	}
	stage("input stage: parse workers ranging over their input", "main.parseStage", parsers, input)
	stage("parsed stage: transform workers ranging over their input", "main.transformStage", transformers, parsed)
	stage("changed stage: encode workers ranging over their input", "main.encodeStage", encoders, changed)
	stage("encoded stage: the sink ranging over its input", "main.sink", 1, encoded)
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 5000 records through all stages; " +
		"object names are the channels the stages range over."
	f.Run()
}

func parseStage(f *fixture.F, in <-chan string, out chan<- int) {
	f.Started()
	for s := range in {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "record "))
		out <- n
	}
}

func transformStage(f *fixture.F, in <-chan int, out chan<- int) {
	f.Started()
	for n := range in {
		out <- n*n + 1
	}
}

func encodeStage(f *fixture.F, in <-chan int, out chan<- string) {
	f.Started()
	for n := range in {
		out <- strconv.FormatInt(int64(n), 36)
	}
}

func sink(f *fixture.F, in <-chan string) {
	f.Started()
	for s := range in {
		if s != "" {
			atomic.AddInt64(&sunk, 1)
		}
	}
}

func burst() {
	load.Burst(feeders, perFeeder, func(w, i int) error {
		input <- "record " + strconv.Itoa(w*perFeeder+i)
		atomic.AddInt64(&fed, 1)
		return nil
	})
	want := atomic.LoadInt64(&fed)
	load.WaitUntil("the sink has every record", func() bool { return atomic.LoadInt64(&sunk) == want })
}
