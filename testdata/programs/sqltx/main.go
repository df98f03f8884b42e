// Command sqltx leaks database/sql's own watcher goroutines (over a tiny
// in-program driver):
//
//   - 20 transactions begun with a cancellable context whose cancel
//     function is dropped, and abandoned on an error path without Commit or
//     Rollback (main.transfer returns early): each leaves
//     database/sql.(*Tx).awaitDone waiting on the context forever;
//   - 20 queries made with such a context whose Rows are never closed
//     (main.firstID returns after the first row): each leaves
//     database/sql.(*Rows).awaitDone waiting forever.
//
// Healthy next to them: the pool's connection opener,
// database/sql.(*DB).connectionOpener (the healthy transaction and rows
// watchers of live owners are in svcdb).
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"

	"gleak.test/programs/internal/fixture"
)

const (
	leakedTx   = 20
	leakedRows = 20
)

var db *sql.DB

func main() {
	f := fixture.New("sqltx")
	sql.Register("fakedb", fakeDriver{})
	var err error
	db, err = sql.Open("fakedb", "sqltx")
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(0) // unlimited: every abandoned transaction keeps its connection
	for i := 0; i < leakedTx; i++ {
		if err := transfer(i); err == nil {
			panic("transfer should have failed")
		}
	}
	for i := 0; i < leakedRows; i++ {
		if _, err := firstID(); err != nil {
			panic(err)
		}
	}
	f.Kind(fixture.Kind{Name: "the pool's connection opener", Func: "database/sql.(*DB).connectionOpener",
		State: "select", Count: 1, CreatedBy: "database/sql.OpenDB",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context"})
	f.Kind(fixture.Kind{Name: "watcher of a transaction abandoned without Commit/Rollback (cancel dropped)",
		Func: "database/sql.(*Tx).awaitDone", State: "chan receive", Count: leakedTx, CreatedBy: "database/sql.(*DB).beginDC",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context", Leaking: true})
	f.Kind(fixture.Kind{Name: "watcher of Rows never closed (cancel dropped)",
		Func: "database/sql.(*Rows).awaitDone", State: "select", Count: leakedRows, CreatedBy: "database/sql.(*Rows).initContextClose",
		Pattern: "context", StackOnly: "context", StackOnlyDebug1: "context", Leaking: true})
	f.Note = "pattern_stack_only context for database/sql's own watchers is the standard library's knowledge " +
		"(issue 12, point 3): they wait on a context. Go 1.19's Rows watcher selects on two contexts, later ones on three."
	f.Run()
}

var errInsufficient = errors.New("insufficient funds")

// transfer begins a transaction and returns on an error path without
// Rollback (BUG), dropping the cancel function too (BUG).
func transfer(i int) error {
	ctx, _ := context.WithCancel(context.Background())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE accounts SET balance = balance - 10 WHERE id = ?", i); err != nil {
		return err
	}
	return errInsufficient // BUG: tx neither committed nor rolled back
}

// firstID returns the first id and never closes the rows (BUG).
func firstID() (int64, error) {
	ctx, _ := context.WithCancel(context.Background())
	rows, err := db.QueryContext(ctx, "SELECT id FROM accounts")
	if err != nil {
		return 0, err
	}
	var id int64
	if rows.Next() {
		err = rows.Scan(&id)
	}
	return id, err // BUG: rows.Close never called
}

// The in-program driver: every query returns 3 rows of one int64 column.
type fakeDriver struct{}
type fakeConn struct{}
type fakeTx struct{}
type fakeStmt struct{}
type fakeRows struct{ i int }

func (fakeDriver) Open(string) (driver.Conn, error)         { return fakeConn{}, nil }
func (fakeConn) Prepare(string) (driver.Stmt, error)        { return fakeStmt{}, nil }
func (fakeConn) Close() error                               { return nil }
func (fakeConn) Begin() (driver.Tx, error)                  { return fakeTx{}, nil }
func (fakeTx) Commit() error                                { return nil }
func (fakeTx) Rollback() error                              { return nil }
func (fakeStmt) Close() error                               { return nil }
func (fakeStmt) NumInput() int                              { return -1 }
func (fakeStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(1), nil }
func (fakeStmt) Query([]driver.Value) (driver.Rows, error)  { return &fakeRows{}, nil }
func (r *fakeRows) Columns() []string                       { return []string{"id"} }
func (r *fakeRows) Close() error                            { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= 3 {
		return io.EOF
	}
	dest[0] = int64(r.i)
	r.i++
	return nil
}
