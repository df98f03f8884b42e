// Command svcdb is a healthy database pool (database/sql over a tiny
// in-program driver) under real load, then idle:
//
//   - the pool's connection opener, database/sql.(*DB).connectionOpener,
//     waits for requests to open connections (select on its context and
//     a channel), as in every program that uses database/sql;
//   - 8 batch writers each hold an open transaction begun with a
//     cancellable context (the writer keeps the cancel function and commits
//     when its batch is full) and wait for the next item on their own
//     channel: 8 main.(*batchWriter).run in chan receive and their 8
//     transaction watchers database/sql.(*Tx).awaitDone waiting on the
//     context;
//   - 4 streamers each hold open Rows of a query made with a cancellable
//     context and wait for the consumer to ask for more: 4
//     main.(*streamer).run in chan receive and their 4 database/sql.(*Rows).awaitDone.
//
// Bursts: three before READY, one more per request to /load on the fixture
// server; each runs 64 goroutines x 20 operations (a query with a timeout,
// read and closed; a transaction with an insert, committed) and gives each
// batch writer and streamer work.
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"gleak.test/programs/internal/fixture"
	"gleak.test/programs/internal/load"
)

const (
	writers   = 8
	streamers = 4
	workers   = 64
	perWorker = 20
)

var (
	db      *sql.DB
	batches []*batchWriter
	streams []*streamer
	fx      *fixture.F
)

func main() {
	f := fixture.New("svcdb")
	fx = f
	sql.Register("fakedb", fakeDriver{})
	var err error
	db, err = sql.Open("fakedb", "svcdb")
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	f.Expect(writers + streamers)
	for i := 0; i < writers; i++ {
		b := &batchWriter{items: make(chan string)}
		batches = append(batches, b)
		go b.run()
	}
	for i := 0; i < streamers; i++ {
		s := &streamer{more: make(chan int), got: make(chan int)}
		streams = append(streams, s)
		go s.run()
	}
	for i := 0; i < 3; i++ {
		burst()
	}
	f.Handle("/load", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst()
		fmt.Fprintln(w, "ok")
	}))
	f.Kind(fixture.Kind{Name: "the pool's connection opener", Func: "database/sql.(*DB).connectionOpener",
		State: "select", Count: 1, CreatedBy: "database/sql.OpenDB",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context"})
	f.Kind(fixture.Kind{Name: "batch writer holding an open transaction, waiting for its next item",
		Func: "main.(*batchWriter).run", State: "chan receive", Count: writers, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "watcher of an open transaction (owner alive, cancel kept)",
		Func: "database/sql.(*Tx).awaitDone", State: "chan receive", Count: writers, CreatedBy: "database/sql.(*DB).beginDC",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context"})
	f.Kind(fixture.Kind{Name: "streamer holding open Rows, waiting for the consumer",
		Func: "main.(*streamer).run", State: "chan receive", Count: streamers, CreatedBy: "main.main",
		Pattern: "chan-recv", StackOnly: "chan-recv"})
	f.Kind(fixture.Kind{Name: "watcher of open Rows (owner alive, cancel kept)",
		Func: "database/sql.(*Rows).awaitDone", State: "select", Count: streamers, CreatedBy: "database/sql.(*Rows).initContextClose",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context"})
	f.Note = "Healthy under load: the dump is taken in the idle gap after bursts of 1280 queries and 1280 " +
		"transactions; the open transactions and rows belong to live owners that keep their cancel functions. " +
		"pattern_stack_only context for database/sql's own watchers is the standard library's knowledge " +
		"(issue 12, point 3): they wait on a context."
	f.Run()
}

type batchWriter struct {
	items   chan string
	cancel  context.CancelFunc
	n       int64
	waiting int32 // 1 while parked waiting for an item
}

// run keeps a transaction open and commits it every 10 items.
func (b *batchWriter) run() {
	started := false
	for {
		ctx, cancel := context.WithCancel(context.Background())
		b.cancel = cancel
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			panic(err)
		}
		for i := 0; i < 10; i++ {
			if !started {
				started = true
				fx.Started()
			}
			atomic.StoreInt32(&b.waiting, 1)
			item := <-b.items
			atomic.StoreInt32(&b.waiting, 0)
			if _, err := tx.Exec("INSERT INTO items VALUES (?)", item); err != nil {
				panic(err)
			}
			atomic.AddInt64(&b.n, 1)
		}
		if err := tx.Commit(); err != nil {
			panic(err)
		}
		cancel()
	}
}

type streamer struct {
	more chan int
	got  chan int
}

// run keeps a query's rows open and hands out rows as asked.
func (s *streamer) run() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT id FROM big")
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	fx.Started()
	for n := range s.more {
		got := 0
		for i := 0; i < n && rows.Next(); i++ {
			var id int64
			rows.Scan(&id)
			got++
		}
		s.got <- got
	}
}

func burst() {
	load.Burst(workers, perWorker, func(w, i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rows, err := db.QueryContext(ctx, "SELECT id FROM small WHERE w = ?", w)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO log VALUES (?, ?)", w, i); err != nil {
			return err
		}
		return tx.Commit()
	})
	for _, b := range batches {
		for i := 0; i < 3; i++ {
			b.items <- "item"
		}
	}
	for _, s := range streams {
		s.more <- 5
		<-s.got
	}
	load.WaitUntil("every batch writer is waiting for an item", func() bool {
		for _, b := range batches {
			if atomic.LoadInt32(&b.waiting) == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(50 * time.Millisecond)
}

// The in-program driver: every query returns rows of one int64 column,
// 3 rows for "small" tables and 1000000 for "big" ones.
type fakeDriver struct{}
type fakeConn struct{}
type fakeTx struct{}
type fakeStmt struct{ query string }
type fakeRows struct{ i, n int }

func (fakeDriver) Open(string) (driver.Conn, error)            { return fakeConn{}, nil }
func (fakeConn) Prepare(q string) (driver.Stmt, error)         { return &fakeStmt{query: q}, nil }
func (fakeConn) Close() error                                  { return nil }
func (fakeConn) Begin() (driver.Tx, error)                     { return fakeTx{}, nil }
func (fakeTx) Commit() error                                   { return nil }
func (fakeTx) Rollback() error                                 { return nil }
func (s *fakeStmt) Close() error                               { return nil }
func (s *fakeStmt) NumInput() int                              { return -1 }
func (s *fakeStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(1), nil }
func (s *fakeStmt) Query([]driver.Value) (driver.Rows, error) {
	n := 3
	if len(s.query) > 0 && s.query[len(s.query)-3:] == "big" {
		n = 1000000
	}
	return &fakeRows{n: n}, nil
}
func (r *fakeRows) Columns() []string { return []string{"id"} }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= r.n {
		return io.EOF
	}
	dest[0] = int64(r.i)
	r.i++
	return nil
}
