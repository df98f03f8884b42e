package testtimeout

import (
	"runtime"
	"testing"

	"gleak.test/programs/internal/fixture"
)

const helpers = 3

const pkg = "gleak.test/programs/testtimeout"

func TestHangs(t *testing.T) {
	f := fixture.New("testtimeout")
	if f.Capture() == "" {
		t.Skip("run by testdata/regen with -args -capture test_timeout -out FILE")
	}
	// Blocked about as long as the test ran: suspects by the producer's judgement.
	f.Producer = "test_timeout"
	f.Expect(helpers)
	replies := make(chan int)
	for i := 0; i < helpers; i++ {
		go waitForReply(f, replies)
	}
	f.Settle()

	f.Kind(fixture.Kind{Name: "hanging test", Func: pkg + ".TestHangs",
		State: "chan receive", Count: 1, CreatedBy: "testing.(*T).Run",
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "helper started by the test", Func: pkg + ".waitForReply",
		State: "chan receive", Count: helpers, CreatedBy: pkg + ".TestHangs",
		Pattern: "chan-recv", StackOnly: "chan-recv", Leaking: true})
	f.Kind(fixture.Kind{Name: "test main goroutine waiting in t.Run", Func: "testing.(*M).Run",
		State: "chan receive", Count: 1, Pattern: "harness", StackOnly: "harness"})
	f.Kind(fixture.Kind{Name: "testing alarm goroutine raising the timeout panic", Func: "testing.(*M).startAlarm.func1",
		State: "running", Count: 1, CreatedBy: "time.goFunc", Pattern: "not-blocked", StackOnly: "not-blocked"})
	f.Note = "goroutines is runtime.NumGoroutine() inside the test plus 1: the testing package's alarm " +
		"goroutine (a time.AfterFunc callback) that raises the timeout panic does not exist yet when the test counts."
	producer := fixture.Producer{TestTimeoutSeconds: 2}
	if fixture.GoMinor() >= 20 {
		producer.TestName = "TestHangs" // "running tests:" in the panic value; Go 1.19 has none
	}
	f.SetProducer(producer)
	f.WriteExpected(runtime.NumGoroutine()+1, false)
	<-replies
}

func waitForReply(f *fixture.F, replies <-chan int) {
	f.Started()
	<-replies
}
