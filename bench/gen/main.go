// Command gen parks N goroutines in the shapes a real Go service leaks and
// writes their dumps, the input of gleak's benchmarks (bench/):
//
//   - debug=2: runtime.Stack of every goroutine, which is byte for byte what
//     /debug/pprof/goroutine?debug=2 serves, without pprof's 64 MiB cap (a
//     million goroutines make 0.4 GB or more);
//   - debug=1: the goroutine count profile (pprof WriteTo(w, 1)).
//
// The mix: channel sends and receives at several depths, selects, sleep and
// ticker loops, WaitGroup, Mutex, RWMutex and Cond waits, <-ctx.Done(), a
// generic queue, nil-channel and empty-select waits, idle HTTP keep-alive
// connections on 127.0.0.1 (server and client side), started from closures,
// functions and methods at two `go` sites each, a fraction (-deep) parked
// about 100 frames deep and a smaller one (-elided) deeper still, which Go
// prints as 100 frames around a "...N frames elided..." marker.
//
//	go run . -n 1000000 -debug2 /tmp/d2.txt -debug1 /tmp/d1.txt
//	go run . -shape service -n 1000000 -debug2 /tmp/service.txt   (see service.go)
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
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

var (
	nFlag      = flag.Int("n", 10000, "goroutines to park (the program's own few come on top)")
	deepFlag   = flag.Float64("deep", 0.02, "fraction of goroutines parked about 100 frames deep (1: every one)")
	depthFlag  = flag.Int("deep-depth", 92, "call depth of the deep goroutines: 92 prints 95 to 99 frames, just under Go's 100-frame limit")
	elideFlag  = flag.Float64("elided", 0.005, "fraction of goroutines parked 150 deep, which Go prints as 100 frames with \"...N frames elided...\"")
	connsFlag  = flag.Int("conns", -1, "idle HTTP keep-alive connections on 127.0.0.1, 3 goroutines each (-1: n/200, at most 2000)")
	labelsFlag = flag.String("labels", "few", "pprof labels: none, few (4 label sets) or unique (one set per goroutine, so every goroutine is its own debug=1 record)")
	debug2Flag = flag.String("debug2", "", "write the debug=2 dump (runtime.Stack of all goroutines) to this file")
	debug1Flag = flag.String("debug1", "", "write the debug=1 dump (count profile) to this file")
	seedFlag   = flag.Int64("seed", 1, "seed of the shape mix")
	quietFlag  = flag.Bool("q", false, "no progress on standard error")
)

// What the parked goroutines wait on; nothing ever releases them.
var (
	ready   sync.WaitGroup // Done by each goroutine just before it blocks
	results = make(chan int)
	jobs    = make(chan int)
	acks    = make(chan int)
	never   = make(chan struct{})
	mu      sync.Mutex   // held by main
	rw      sync.RWMutex // write-locked by main
	pending sync.WaitGroup
	condMu  sync.Mutex
	cond    = sync.NewCond(&condMu)
	rootCtx context.Context
	labelOf func(i int) context.Context // nil: no labels set in the goroutine itself
)

func logf(format string, args ...any) {
	if !*quietFlag {
		fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	}
}

// parked marks the goroutine ready; it blocks right after.
func parked(i int) {
	if labelOf != nil {
		pprof.SetGoroutineLabels(labelOf(i))
	}
	ready.Done()
}

// ---- a call chain of distinct functions, so that depth makes distinct frames ----

//go:noinline
func handleRequest(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	decodePayload(d-1, leaf)
}

//go:noinline
func decodePayload(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	validateInput(d-1, leaf)
}

//go:noinline
func validateInput(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	loadAccount(d-1, leaf)
}

//go:noinline
func loadAccount(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	queryStore(d-1, leaf)
}

//go:noinline
func queryStore(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	retryWithBackoff(d-1, leaf)
}

//go:noinline
func retryWithBackoff(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	applyMiddleware(d-1, leaf)
}

//go:noinline
func applyMiddleware(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	dispatchEvent(d-1, leaf)
}

//go:noinline
func dispatchEvent(d int, leaf func()) {
	if d <= 0 {
		leaf()
		return
	}
	handleRequest(d-1, leaf)
}

// ---- shapes: the code that starts and parks one goroutine ----

// chan send nobody receives, from a plain function.
//
//go:noinline
func producer(depth, i int) {
	handleRequest(depth, func() {
		parked(i)
		results <- i
	})
}

func spawnProducer(site, depth, i int) {
	if site == 0 {
		go producer(depth, i)
	} else {
		go producer(depth, i)
	}
}

// chan receive nobody sends, from a method.
type Consumer struct{ id int }

//go:noinline
func (c *Consumer) consume(depth int) {
	decodePayload(depth, func() {
		parked(c.id)
		<-jobs
	})
}

func spawnConsumer(site, depth, i int) {
	c := &Consumer{id: i}
	if site == 0 {
		go c.consume(depth)
	} else {
		go c.consume(depth)
	}
}

// select over channels nobody uses, from a closure.
func spawnSelector(site, depth, i int) {
	body := func() {
		validateInput(depth, func() {
			parked(i)
			select {
			case <-jobs:
			case acks <- i:
			case <-never:
			}
		})
	}
	if site == 0 {
		go func() { body() }()
	} else {
		go func() { body() }()
	}
}

// a sleep loop nobody stops.
//
//go:noinline
func pollLoop(depth, i int) {
	loadAccount(depth, func() {
		parked(i)
		for {
			time.Sleep(time.Hour)
		}
	})
}

func spawnPoller(site, depth, i int) {
	if site == 0 {
		go pollLoop(depth, i)
	} else {
		go pollLoop(depth, i)
	}
}

// a ticker loop nobody stops, from a method.
type Refresher struct{ id int }

//go:noinline
func (r *Refresher) loop(depth int) {
	queryStore(depth, func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		parked(r.id)
		for {
			select {
			case <-t.C:
			case <-never:
				return
			}
		}
	})
}

func spawnRefresher(site, depth, i int) {
	r := &Refresher{id: i}
	if site == 0 {
		go r.loop(depth)
	} else {
		go r.loop(depth)
	}
}

// WaitGroup.Wait on a group that never reaches zero, from a closure.
func spawnWaiter(site, depth, i int) {
	body := func() {
		retryWithBackoff(depth, func() {
			parked(i)
			pending.Wait()
		})
	}
	if site == 0 {
		go func() { body() }()
	} else {
		go func() { body() }()
	}
}

// Mutex.Lock on a lock never freed, from a method.
type Cache struct{ id int }

//go:noinline
func (c *Cache) get(depth int) {
	applyMiddleware(depth, func() {
		parked(c.id)
		mu.Lock()
		mu.Unlock()
	})
}

func spawnCache(site, depth, i int) {
	c := &Cache{id: i}
	if site == 0 {
		go c.get(depth)
	} else {
		go c.get(depth)
	}
}

// RWMutex.RLock and Cond.Wait.
//
//go:noinline
func readConfig(depth, i int) {
	dispatchEvent(depth, func() {
		parked(i)
		rw.RLock()
		rw.RUnlock()
	})
}

//go:noinline
func awaitSignal(depth, i int) {
	handleRequest(depth, func() {
		condMu.Lock()
		parked(i)
		cond.Wait()
		condMu.Unlock()
	})
}

func spawnSyncMisc(site, depth, i int) {
	if site == 0 {
		go readConfig(depth, i)
	} else {
		go awaitSignal(depth, i)
	}
}

// <-ctx.Done() on a context nobody cancels, from a method.
type Watcher struct{ id int }

//go:noinline
func (w *Watcher) watch(ctx context.Context, depth int) {
	decodePayload(depth, func() {
		parked(w.id)
		<-ctx.Done()
	})
}

func spawnWatcher(site, depth, i int) {
	w := &Watcher{id: i}
	ctx, cancel := context.WithCancel(rootCtx)
	_ = cancel // never called: the leak
	if site == 0 {
		go w.watch(ctx, depth)
	} else {
		go w.watch(ctx, depth)
	}
}

// a generic queue's Pop on a queue nobody pushes to.
type Queue[T any] struct{ items chan T }

//go:noinline
func (q *Queue[T]) Pop(i int) T {
	parked(i)
	return <-q.items
}

var (
	intQueue = &Queue[int]{items: make(chan int)}
	strQueue = &Queue[string]{items: make(chan string)}
)

func spawnQueue(site, depth, i int) {
	if site == 0 {
		go validateInput(depth, func() { intQueue.Pop(i) })
	} else {
		go validateInput(depth, func() { strQueue.Pop(i) })
	}
}

// waits that can never end: a nil channel, an empty select.
func spawnForever(site, depth, i int) {
	if site == 0 {
		go loadAccount(depth, func() {
			var ch chan int
			parked(i)
			<-ch
		})
	} else {
		go queryStore(depth, func() {
			parked(i)
			select {}
		})
	}
}

type shape struct {
	name   string
	weight int
	depths []int
	spawn  func(site, depth, i int)
}

var shapes = []shape{
	{"chan send", 18, []int{0, 1, 3, 7}, spawnProducer},
	{"chan receive", 14, []int{0, 2, 5}, spawnConsumer},
	{"select", 10, []int{1, 4}, spawnSelector},
	{"sleep loop", 7, []int{0, 2}, spawnPoller},
	{"ticker loop", 7, []int{0, 3}, spawnRefresher},
	{"WaitGroup.Wait", 8, []int{0, 2}, spawnWaiter},
	{"Mutex.Lock", 6, []int{0, 3}, spawnCache},
	{"RWMutex/Cond", 5, []int{1}, spawnSyncMisc},
	{"ctx.Done", 10, []int{0, 2, 6}, spawnWatcher},
	{"generic queue", 4, []int{1, 3}, spawnQueue},
	{"nil chan / select{}", 1, []int{0}, spawnForever},
}

// ---- idle HTTP keep-alive connections ----

// startHTTP opens `conns` keep-alive connections from a client to a server,
// both in this process, and leaves them idle in the client's pool: each is a
// server conn.serve, a client readLoop and a client writeLoop goroutine.
func startHTTP(conns int) (func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var arrived sync.WaitGroup
	arrived.Add(conns)
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		<-release
		io.WriteString(w, "ok")
	})}
	go srv.Serve(ln)
	tr := &http.Transport{
		MaxIdleConns:        conns + 16,
		MaxIdleConnsPerHost: conns + 16,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr}
	url := "http://" + ln.Addr().String() + "/"
	var done sync.WaitGroup
	errs := make(chan error, conns)
	for j := 0; j < conns; j++ {
		done.Add(1)
		go func() {
			defer done.Done()
			resp, err := client.Get(url)
			if err != nil {
				errs <- err
				arrived.Done()
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	arrived.Wait()
	close(release)
	done.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return func() { srv.Close() }, nil
}

func stackAll(n int) []byte {
	size := 64 << 20
	for size < n*1024 {
		size *= 2
	}
	for {
		buf := make([]byte, size)
		m := runtime.Stack(buf, true)
		if m < len(buf) {
			return buf[:m]
		}
		size *= 2
	}
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	flag.Parse()
	n := *nFlag
	conns := *connsFlag
	if conns < 0 {
		conns = smallest(n/200, 2000)
	}
	if 3*conns > n {
		conns = n / 3
	}
	start := time.Now()

	rootCtx = context.Background()
	switch *labelsFlag {
	case "none":
	case "few":
		// Goroutines inherit the labels of their creator: spawn under pprof.Do.
	case "unique":
		labelOf = func(i int) context.Context {
			return pprof.WithLabels(rootCtx, pprof.Labels("request", strconv.Itoa(i)))
		}
	default:
		fmt.Fprintf(os.Stderr, "gen: -labels must be none, few or unique\n")
		os.Exit(2)
	}

	mu.Lock()
	rw.Lock()
	pending.Add(1)

	var checkService func() error
	if *shapeFlag == "service" {
		checkService = runServiceShape(rand.New(rand.NewSource(*seedFlag)), n)
	} else if *shapeFlag != "mix" {
		fmt.Fprintf(os.Stderr, "gen: -shape must be mix or service\n")
		os.Exit(2)
	}
	if checkService == nil && conns > 0 {
		if _, err := startHTTP(conns); err != nil {
			fmt.Fprintf(os.Stderr, "gen: http: %v\n", err)
			os.Exit(1)
		}
		logf("%d idle HTTP keep-alive connections", conns)
	}

	total := 0
	for _, s := range shapes {
		total += s.weight
	}
	r := rand.New(rand.NewSource(*seedFlag))
	parks := n - 3*conns
	if checkService != nil {
		parks = 0
	} else {
		ready.Add(parks)
	}
	pools := []string{"ingest", "egress", "batch", "admin"}
	spawnRange := func(from, to int) {
		for i := from; i < to; i++ {
			w := r.Intn(total)
			k := 0
			for w >= shapes[k].weight {
				w -= shapes[k].weight
				k++
			}
			s := shapes[k]
			depth := s.depths[r.Intn(len(s.depths))]
			if x := r.Float64(); x < *deepFlag {
				depth = *depthFlag
			} else if x < *deepFlag+*elideFlag {
				depth = 150
			}
			s.spawn(r.Intn(2), depth, i)
		}
	}
	if checkService != nil {
		// started above
	} else if *labelsFlag == "few" {
		// Four label sets over consecutive quarters of the goroutines.
		for p, pool := range pools {
			from, to := parks*p/len(pools), parks*(p+1)/len(pools)
			pprof.Do(rootCtx, pprof.Labels("pool", pool), func(context.Context) { spawnRange(from, to) })
		}
	} else {
		spawnRange(0, parks)
	}
	ready.Wait()
	if checkService != nil {
		if err := checkService(); err != nil {
			fmt.Fprintf(os.Stderr, "gen: in-flight http: %v\n", err)
			os.Exit(1)
		}
	}
	// Each goroutine blocks right after it said ready; give the last ones time
	// to get there.
	settle := 200*time.Millisecond + time.Duration(n/1000)*3*time.Millisecond
	time.Sleep(settle)
	logf("%d goroutines parked in %v", runtime.NumGoroutine(), time.Since(start).Round(time.Millisecond))

	if *debug2Flag != "" {
		t := time.Now()
		buf := stackAll(n)
		if err := writeFile(*debug2Flag, func(w io.Writer) error { _, err := w.Write(buf); return err }); err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(1)
		}
		logf("debug=2: %s, %d bytes (%.1f MB) in %v", *debug2Flag, len(buf), float64(len(buf))/1e6,
			time.Since(t).Round(time.Millisecond))
		buf = nil
	}
	if *debug1Flag != "" {
		t := time.Now()
		err := writeFile(*debug1Flag, func(w io.Writer) error {
			return pprof.Lookup("goroutine").WriteTo(w, 1)
		})
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(1)
		}
		st, _ := os.Stat(*debug1Flag)
		logf("debug=1: %s, %d bytes in %v", *debug1Flag, st.Size(), time.Since(t).Round(time.Millisecond))
	}
	os.Exit(0)
}

// smallest is min, which Go 1.19 (Debian 12's, which builds the dump of the
// work guard in tests/) does not have.
func smallest(a, b int) int {
	if a < b {
		return a
	}
	return b
}
