package server

import (
	"bytes"
	"errors"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib"
	"luapf/runtime/image"
	"luapf/runtime/lua"
)

// lendTest is a server with one pooled executor whose part the test plays
// on the executor's end of the control socket.
type lendTest struct {
	s       *server
	e       *executor
	control *net.UnixConn // the executor's end
	logged  func() string
}

func newLendTest(t *testing.T) *lendTest {
	t.Helper()
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(t.TempDir(), "s"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	e, executorEnd := fakeExecutorControl(t)
	if e == nil {
		t.FailNow()
	}
	var mu sync.Mutex
	var logged bytes.Buffer
	slog := &serverLog{Logger: log.New(lockedWriter{&mu, &logged}, "", 0)}
	p := newPool(0, func() (*executor, error) { return nil, os.ErrInvalid }, nil, slog)
	p.putBack(e)
	opts := lua.DefaultOptions()
	s := &server{
		meta: image.Meta{Script: "lent.lua"}, opts: opts, listener: listener, log: slog, pool: p,
		quit: make(chan struct{}), revoke: make(chan struct{}, 1), stats: &serverStats{},
	}
	t.Cleanup(func() {
		executorEnd.Close() // whatever still waits for the executor's answer ends
		s.stop("test over")
		s.calls.Wait()
	})
	return &lendTest{s: s, e: e, control: executorEnd, logged: func() string {
		mu.Lock()
		defer mu.Unlock()
		return logged.String()
	}}
}

// TestRevokeCrossesAnswer: the server takes its socket back (its pool is
// let go) just as the executor lent it answers for a connection. The
// executor reads the revoke only when it next waits for an order, and
// answers it then; the server deals with the first answer (here: no
// request, logged as a failed call), waits for the second, and only then
// has the executor back in its pool, the socket its own again.
func TestRevokeCrossesAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		// call: the answer makes it a call, which takes the executor out
		// of the loan at once (the call's goroutine waits for the rest).
		call   bool
		answer func(t *testing.T, control *net.UnixConn)
	}{
		{"no request", false, func(t *testing.T, control *net.UnixConn) {
			preforklib.WriteNoRequest(control, false, "sent garbage")
		}},
		{"accepted, then no request", true, func(t *testing.T, control *net.UnixConn) {
			client, accepted := socketPair(t)
			defer client.Close()
			preforklib.WriteAccepted(control, accepted)
			accepted.Close()
			preforklib.WriteNoRequest(control, false, "sent garbage")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lt := newLendTest(t)
			lent := make(chan bool, 1)
			go func() {
				ok, _ := lt.s.lendSocket()
				lent <- ok
			}()
			order, err := preforklib.ReadOrder(lt.control)
			if err != nil || order.Listener < 0 {
				t.Fatalf("the executor's order: %+v, %v; want an accept order", order, err)
			}
			order.Close()
			if lt.s.pool.waiting() != 1 {
				t.Errorf("%d waiting while lent, want 1", lt.s.pool.waiting())
			}
			lt.s.revoke <- struct{}{}
			// The revoke is on its way before the executor answers.
			testutil.WaitFor(t, "the revoke sent", func() bool { return readable(lt.control) })
			tc.answer(t, lt.control)
			time.Sleep(50 * time.Millisecond) // time to do wrong
			if !tc.call {
				select {
				case <-lent:
					t.Fatal("the loan ended before the executor answered the revoke")
				default:
				}
			}
			lt.s.pool.mu.Lock()
			early := len(lt.s.pool.ready)
			lt.s.pool.mu.Unlock()
			if early != 0 {
				t.Fatal("the executor is back in the pool before it answered the revoke")
			}
			next, err := preforklib.ReadOrder(lt.control)
			if err != nil || !next.Revoke {
				t.Fatalf("the executor's next order: %+v, %v; want the revoke", next, err)
			}
			if err := preforklib.WriteRevoked(lt.control); err != nil {
				t.Fatal(err)
			}
			if !<-lent {
				t.Error("lendSocket said it lent nothing")
			}
			testutil.WaitFor(t, "the executor back in the pool", func() bool {
				lt.s.pool.mu.Lock()
				defer lt.s.pool.mu.Unlock()
				return len(lt.s.pool.ready) == 1 && lt.s.pool.lent == 0
			})
			if log := lt.logged(); !strings.Contains(log, "connection dropped before its request was read: sent garbage") {
				t.Errorf("the log does not tell of the call without a request:\n%s", log)
			}
			if lt.e.cmd.ProcessState != nil {
				t.Error("the executor was discarded")
			}
		})
	}
}

// TestLentAcceptFails: an executor lent the socket that fails to accept on
// it says so; the server counts that as its own accept error (lendSocket
// returns it, for max_errors) and has the executor back in its pool.
func TestLentAcceptFails(t *testing.T) {
	lt := newLendTest(t)
	type result struct {
		lent bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		lent, err := lt.s.lendSocket()
		done <- result{lent, err}
	}()
	order, err := preforklib.ReadOrder(lt.control)
	if err != nil || order.Listener < 0 {
		t.Fatalf("the executor's order: %+v, %v; want an accept order", order, err)
	}
	order.Close()
	if err := preforklib.WriteAcceptFailed(lt.control, "accept: too many open files"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	var acceptErr *preforklib.AcceptError
	if !r.lent || !errors.As(r.err, &acceptErr) || !strings.Contains(r.err.Error(), "too many open files") {
		t.Errorf("lendSocket: %v, %v; want lent, and the executor's accept error", r.lent, r.err)
	}
	lt.s.pool.mu.Lock()
	defer lt.s.pool.mu.Unlock()
	if len(lt.s.pool.ready) != 1 || lt.s.pool.lent != 0 {
		t.Errorf("after the failed accept: %d ready, %d lent; want the executor back", len(lt.s.pool.ready), lt.s.pool.lent)
	}
}
