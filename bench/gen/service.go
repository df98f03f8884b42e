// The "service" shape (-shape service): what a real service's dump looks
// like when it holds thousands of distinct stacks rather than a hundred.
//
//   - generated call paths: -paths distinct walks, each 2 to 12 calls deep
//     through twelve handler-style functions that each call on from one of
//     three lines, ending in one of a dozen waits, started from one of four
//     `go` sites. Goroutines share the paths unevenly (a Zipf law: a few hot
//     paths, a long tail), and every path gets at least one goroutine when
//     there are enough of them;
//   - in-flight HTTP requests on 127.0.0.1, each on its own connection, whose
//     server goroutine runs through a middleware chain (one of -routes chains
//     of one to six middlewares in a route's own order) into a handler that
//     parks in a wait; the client side waits in its round trip;
//   - idle HTTP keep-alive connections, as in the mix;
//   - deep recursion: a tree walk and a mutual recursion of expression
//     parsers, parked 10 to 140 frames deep (past 100 Go elides the middle).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	shapeFlag  = flag.String("shape", "mix", "mix (the default mix, about 95 groups) or service (thousands of distinct stacks)")
	pathsFlag  = flag.Int("paths", 2400, "service shape: distinct generated call paths")
	routesFlag = flag.Int("routes", 96, "service shape: HTTP routes, each with its own middleware chain")
	inflightF  = flag.Int("inflight", -1, "service shape: in-flight HTTP requests, 3 goroutines each (-1: n/400, at most 1500)")
	recurseF   = flag.Float64("recurse", 0.01, "service shape: fraction of goroutines parked in deep recursion")
)

// What the service's waits wait on, besides the mix's: a RWMutex held for
// reading by main (so writers wait) and a channel of requests nobody serves.
var (
	rwRead   sync.RWMutex
	requests = make(chan int)
)

// ---- the waits at the end of a path ----

//go:noinline
func waitRecv(i int) { parked(i); <-jobs }

//go:noinline
func waitSend(i int) { parked(i); requests <- i }

//go:noinline
func waitSelect(i int) {
	parked(i)
	select {
	case <-jobs:
	case acks <- i:
	}
}

//go:noinline
func waitTimerSelect(i int) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	parked(i)
	select {
	case <-t.C:
	case <-never:
	}
}

//go:noinline
func waitMutex(i int) { parked(i); mu.Lock(); mu.Unlock() }

//go:noinline
func waitRLock(i int) { parked(i); rw.RLock(); rw.RUnlock() }

//go:noinline
func waitWLock(i int) { parked(i); rwRead.Lock(); rwRead.Unlock() }

//go:noinline
func waitGroup(i int) { parked(i); pending.Wait() }

//go:noinline
func waitCond(i int) {
	condMu.Lock()
	parked(i)
	cond.Wait()
	condMu.Unlock()
}

//go:noinline
func waitSleep(i int) {
	parked(i)
	for {
		time.Sleep(time.Hour)
	}
}

//go:noinline
func waitNilChan(i int) {
	var ch chan int
	parked(i)
	<-ch
}

//go:noinline
func waitForever(i int) { parked(i); select {} }

var waits = []func(int){
	waitRecv, waitSend, waitSelect, waitTimerSelect, waitMutex, waitRLock,
	waitWLock, waitGroup, waitCond, waitSleep, waitNilChan, waitForever,
}

// ---- generated call paths ----

// A step of a path: which function, and from which of its lines it calls
// the next step.
type step struct{ fn, site uint8 }

type path struct {
	steps []step
	wait  uint8
	spawn uint8
}

// next calls the step after path[0], or the wait at the end.
type stepFunc func(p []step, leaf func())

var stepFuncs []stepFunc

func init() {
	stepFuncs = []stepFunc{
		authenticate, authorize, rateLimit, startSpan, recoverPanics, decodeBody,
		validateRequest, lookupCache, queryDatabase, callUpstream, publishEvent, renderResponse,
	}
}

// Each step function calls on from one of three lines, so that the same
// function makes three distinct frames.
//
//go:noinline
func authenticate(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func authorize(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func rateLimit(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func startSpan(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func recoverPanics(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func decodeBody(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func validateRequest(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func lookupCache(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func queryDatabase(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func callUpstream(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func publishEvent(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func renderResponse(p []step, leaf func()) {
	rest := p[1:]
	if len(rest) == 0 {
		leaf()
		return
	}
	switch p[0].site {
	case 0:
		stepFuncs[rest[0].fn](rest, leaf)
	case 1:
		stepFuncs[rest[0].fn](rest, leaf)
	default:
		stepFuncs[rest[0].fn](rest, leaf)
	}
}

//go:noinline
func runPath(p *path, i int) {
	stepFuncs[p.steps[0].fn](p.steps, func() { waits[p.wait](i) })
}

// Four `go` sites: a worker pool, a job server, an event subscriber and a
// scheduler, so the same path is also told apart by its creator.
type Pool struct{}

//go:noinline
func (Pool) startWorker(p *path, i int) { go runPath(p, i) }

//go:noinline
func serveJob(p *path, i int) { go runPath(p, i) }

//go:noinline
func subscribe(p *path, i int) {
	go func() { runPath(p, i) }()
}

//go:noinline
func scheduleTask(p *path, i int) { go runPath(p, i) }

func spawnPath(p *path, i int) {
	switch p.spawn {
	case 0:
		Pool{}.startWorker(p, i)
	case 1:
		serveJob(p, i)
	case 2:
		subscribe(p, i)
	default:
		scheduleTask(p, i)
	}
}

// makePaths draws n distinct paths. Depths 2 to 12, shallow ones likelier
// (each level 0.78 times as likely as the one above it), as in services
// where most goroutines wait near the top of a handler.
func makePaths(r *rand.Rand, n int) []*path {
	seen := map[string]bool{}
	var paths []*path
	for len(paths) < n {
		depth := 2
		for depth < 12 && r.Float64() < 0.78 {
			depth++
		}
		p := &path{wait: uint8(r.Intn(len(waits))), spawn: uint8(r.Intn(4))}
		var key strings.Builder
		fmt.Fprintf(&key, "%d %d", p.wait, p.spawn)
		for d := 0; d < depth; d++ {
			s := step{uint8(r.Intn(len(stepFuncs))), uint8(r.Intn(3))}
			p.steps = append(p.steps, s)
			fmt.Fprintf(&key, " %d.%d", s.fn, s.site)
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			paths = append(paths, p)
		}
	}
	// The hot paths (the first ones of the Zipf law) are the shallow ones,
	// like a service's idle workers.
	sort.SliceStable(paths, func(a, b int) bool { return len(paths[a].steps) < len(paths[b].steps) })
	return paths
}

// ---- deep recursion ----

type node struct{ children []*node }

//go:noinline
func walkTree(n *node, depth, i int, wait func(int)) {
	if depth == 0 {
		wait(i)
		return
	}
	walkTree(n, depth-1, i, wait)
}

//go:noinline
func parseExpr(depth, i int, wait func(int)) {
	if depth == 0 {
		wait(i)
		return
	}
	parseTerm(depth-1, i, wait)
}

//go:noinline
func parseTerm(depth, i int, wait func(int)) {
	if depth == 0 {
		wait(i)
		return
	}
	parseExpr(depth-1, i, wait)
}

var recursionDepths = []int{10, 16, 24, 32, 48, 64, 80, 96, 120, 140}

func spawnRecursion(r *rand.Rand, i int) {
	depth := recursionDepths[r.Intn(len(recursionDepths))]
	wait := waits[r.Intn(3)]
	if r.Intn(2) == 0 {
		go walkTree(&node{}, depth, i, wait)
	} else {
		go parseExpr(depth, i, wait)
	}
}

// ---- in-flight HTTP requests through middleware chains ----

type middleware func(http.Handler) http.Handler

func withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func withMetrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func withTracing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { _ = recover() }()
		next.ServeHTTP(w, r)
	})
}

func withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 24*time.Hour)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

func withRateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, r) })
}

var middlewares = []middleware{
	withLogging, withMetrics, withAuth, withTracing, withRecover, withTimeout, withCORS, withRateLimit,
}

// The handler at the end of a chain: a short path, then a wait.
type routeHandler struct{ p *path }

func (h routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, _ := strconv.Atoi(r.URL.Query().Get("i"))
	stepFuncs[h.p.steps[0].fn](h.p.steps, func() { waits[h.p.wait](i) })
}

// startInflight starts `count` requests over `routes` routes, each on its
// own connection; each handler marks itself ready (see parked) before it
// waits. The returned channel holds the requests' errors.
func startInflight(r *rand.Rand, count, routes int) (chan error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ready.Add(count)
	mux := http.NewServeMux()
	for k := 0; k < routes; k++ {
		p := &path{wait: uint8(r.Intn(len(waits)))}
		for d := 1 + r.Intn(3); d > 0; d-- {
			p.steps = append(p.steps, step{uint8(r.Intn(len(stepFuncs))), uint8(r.Intn(3))})
		}
		var h http.Handler = routeHandler{p}
		for _, m := range r.Perm(len(middlewares))[:1+r.Intn(6)] {
			h = middlewares[m](h)
		}
		mux.Handle("/r/"+strconv.Itoa(k), h)
	}
	go (&http.Server{Handler: mux}).Serve(ln)
	tr := &http.Transport{MaxIdleConnsPerHost: count + 16, DisableCompression: true}
	client := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String() + "/r/"
	failed := make(chan error, count)
	for j := 0; j < count; j++ {
		url := base + strconv.Itoa(r.Intn(routes)) + "?i=" + strconv.Itoa(j)
		go func() {
			resp, err := client.Get(url)
			if err != nil {
				failed <- err
				ready.Done()
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	return failed, nil
}

// spawnService parks `parks` goroutines of the service shape.
func spawnService(r *rand.Rand, parks int) {
	rwRead.RLock()
	paths := makePaths(r, *pathsFlag)
	zipf := rand.NewZipf(r, 1.1, 4, uint64(len(paths)-1))
	ready.Add(parks)
	for i := 0; i < parks; i++ {
		switch {
		case r.Float64() < *recurseF:
			spawnRecursion(r, i)
		case i < len(paths):
			spawnPath(paths[i], i)
		default:
			spawnPath(paths[zipf.Uint64()], i)
		}
	}
}

// runServiceShape starts the service shape's n goroutines and returns a
// check of its HTTP requests, to call once every goroutine is ready.
func runServiceShape(r *rand.Rand, n int) func() error {
	inflight := *inflightF
	if inflight < 0 {
		inflight = smallest(n/400, 1500)
	}
	idle := smallest(n/1000, 500)
	if 3*(inflight+idle) > n {
		inflight, idle = n/6, n/6
	}
	if idle > 0 {
		if _, err := startHTTP(idle); err != nil {
			fmt.Fprintf(os.Stderr, "gen: http: %v\n", err)
			os.Exit(1)
		}
	}
	failed := make(chan error)
	if inflight > 0 {
		var err error
		if failed, err = startInflight(r, inflight, *routesFlag); err != nil {
			fmt.Fprintf(os.Stderr, "gen: in-flight http: %v\n", err)
			os.Exit(1)
		}
		logf("%d in-flight HTTP requests over %d routes, %d idle connections", inflight, *routesFlag, idle)
	}
	spawnService(r, n-3*(inflight+idle))
	return func() error {
		select {
		case err := <-failed:
			return err
		default:
			return nil
		}
	}
}
