package goleakfail

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

var (
	capture = flag.String("capture", "", "capture id (goleak)")
	out     = flag.String("out", "", "write the expected JSON here")
)

const (
	pollers  = 3
	watchers = 2
	pkg      = "gleak.test/goleakfail"
)

// TestLeaks leaves goroutines behind, so the deferred goleak.VerifyNone fails.
func TestLeaks(t *testing.T) {
	if *out == "" {
		t.Skip("run by testdata/regen with -args -capture goleak -out FILE")
	}
	defer goleak.VerifyNone(t)

	var started sync.WaitGroup
	started.Add(pollers + watchers)
	updates := make(chan int)
	for i := 0; i < pollers; i++ {
		go poll(&started, updates)
	}
	stop := make(chan struct{})
	for i := 0; i < watchers; i++ {
		go watch(&started, updates, stop)
	}
	started.Wait()
	writeExpected(t)
}

func poll(started *sync.WaitGroup, updates <-chan int) {
	started.Done()
	<-updates
}

func watch(started *sync.WaitGroup, updates <-chan int, stop <-chan struct{}) {
	started.Done()
	for {
		select {
		case u := <-updates:
			_ = u
		case <-stop:
			return
		}
	}
}

type kind struct {
	Name      string            `json:"name"`
	Func      string            `json:"func"`
	State     string            `json:"state"`
	Count     int               `json:"count"`
	CreatedBy string            `json:"created_by"`
	MinWait   int               `json:"min_wait_minutes"`
	Leaked    bool              `json:"leaked"`
	Labels    map[string]string `json:"labels"`
	// see testdata/programs/README.md: goleak's own judgement makes every
	// kind it lists a leak, and so a suspect, whatever its size.
	Pattern   string `json:"pattern"`
	StackOnly string `json:"pattern_stack_only"`
	Suspect   bool   `json:"suspect"`
}

type expected struct {
	Program    string `json:"program"`
	Capture    string `json:"capture"`
	GoVersion  string `json:"go_version"`
	Format     string `json:"format"`
	Goroutines int    `json:"goroutines"`
	System     bool   `json:"system_goroutines_included"`
	Kinds      []kind `json:"kinds"`
	JudgedBy   string `json:"judged_by"`
	// What gleak reports of the log around the stacks (docs/json.md).
	Producer producer `json:"producer"`
	Note     string   `json:"note,omitempty"`
}

type producer struct {
	TestName string `json:"test_name"`
}

func writeExpected(t *testing.T) {
	e := expected{
		Program:    "goleak",
		Capture:    *capture,
		GoVersion:  strings.Fields(runtime.Version())[0],
		Format:     "traceback",
		Goroutines: pollers + watchers,
		Kinds: []kind{
			{Name: "poller waiting for updates", Func: pkg + ".poll", State: "chan receive",
				Count: pollers, CreatedBy: pkg + ".TestLeaks", Labels: map[string]string{},
				// stack alone: the timer rule's name clause (a receive in a
				// function named like a poller) outranks chan-recv
				Pattern: "chan-recv", StackOnly: "chan-recv", Suspect: true},
			{Name: "watcher selecting on updates and stop", Func: pkg + ".watch", State: "select",
				Count: watchers, CreatedBy: pkg + ".TestLeaks", Labels: map[string]string{},
				Pattern: "select-forever", StackOnly: "select-forever", Suspect: true},
		},
		JudgedBy: "goleak",
		Producer: producer{TestName: t.Name()},
		Note: "go test output of a test failing go.uber.org/goleak v1.2.1 VerifyNone. The stacks are " +
			"goleak's runtime.Stack(all) text, indented by the testing log and wrapped as " +
			"\"[Goroutine N in state S, with F on top of the stack:\\n<stack> ...]\". goroutines counts only the " +
			"goroutines goleak reports: it leaves out the test's own goroutine and the main goroutine " +
			"waiting in testing.(*T).Run (runtime.NumGoroutine() in the test was " +
			itoa(runtime.NumGoroutine()) + ").",
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
