// Command labels parks goroutines that carry pprof labels: workers that label
// themselves with pprof.Do (pool=ingest, shard=7), workers that inherit the
// labels of the goroutine that started them inside pprof.Do (pool=egress,
// region="eu west"), and unlabelled workers.
package main

import (
	"context"
	"runtime/pprof"

	"gleak.test/programs/internal/fixture"
)

const (
	ingest = 4
	egress = 3
	plain  = 2
)

var (
	ingestQueue = make(chan int)
	egressQueue = make(chan int)
	plainQueue  = make(chan int)
)

func main() {
	f := fixture.New("labels")
	f.Expect(ingest + egress + plain)
	ctx := context.Background()

	for i := 0; i < plain; i++ {
		go plainWorker(f)
	}
	for i := 0; i < ingest; i++ {
		go ingestWorker(f, ctx)
	}
	pprof.Do(ctx, pprof.Labels("pool", "egress", "region", "eu west"), func(context.Context) {
		for i := 0; i < egress; i++ {
			go egressWorker(f)
		}
	})

	f.Kind(fixture.Kind{Name: "ingest worker labelled with pprof.Do", Func: "main.ingestWorker",
		State: "chan receive", Count: ingest, CreatedBy: "main.main",
		Labels:  map[string]string{"pool": "ingest", "shard": "7"},
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "egress worker inheriting labels", Func: "main.egressWorker",
		State: "chan receive", Count: egress, CreatedBy: "main.main.func1",
		Labels:  map[string]string{"pool": "egress", "region": "eu west"},
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "unlabelled worker", Func: "main.plainWorker",
		State: "chan receive", Count: plain, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Run()
}

func ingestWorker(f *fixture.F, ctx context.Context) {
	pprof.Do(ctx, pprof.Labels("pool", "ingest", "shard", "7"), func(context.Context) {
		f.Started()
		<-ingestQueue
	})
}

func egressWorker(f *fixture.F) {
	f.Started()
	<-egressQueue
}

func plainWorker(f *fixture.F) {
	f.Started()
	<-plainQueue
}
