package server

import (
	"bytes"
	"errors"
	"log"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeStarts stands in for startExecutor: each start waits until the test
// releases it, then returns a stand-in executor (a sleeping process in a
// group of its own, as an executor runs) or fails.
type fakeStarts struct {
	t       *testing.T
	mu      sync.Mutex
	calls   int
	release chan error // one per start: nil to succeed, else the error
}

func newFakeStarts(t *testing.T) *fakeStarts {
	return &fakeStarts{t: t, release: make(chan error, 16)}
}

func (f *fakeStarts) start() (*executor, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if err := <-f.release; err != nil {
		return nil, err
	}
	return fakeExecutor(f.t), nil
}

func (f *fakeStarts) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeExecutor is a sleeping process with a control socket, which discard
// ends like an executor's.
func fakeExecutor(t *testing.T) *executor {
	e, theirs := fakeExecutorControl(t)
	if theirs != nil {
		theirs.Close()
	}
	return e
}

// fakeExecutorControl is fakeExecutor, with the executor's end of the
// control socket, for a test to speak for the executor.
func fakeExecutorControl(t *testing.T) (*executor, *net.UnixConn) {
	ours, theirs := socketPair(t)
	if ours == nil {
		return nil, nil
	}
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return nil, nil
	}
	e := &executor{cmd: cmd, control: ours, pgid: cmd.Process.Pid}
	t.Cleanup(func() {
		if e.cmd.ProcessState == nil {
			e.discard()
		}
	})
	return e, theirs
}

// socketPair returns the two ends of a connected Unix stream socket,
// closed when the test ends.
func socketPair(t *testing.T) (a, b *net.UnixConn) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	conns := make([]*net.UnixConn, 2)
	for i, fd := range pair {
		f := os.NewFile(uintptr(fd), "socket")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Error(err)
			return nil, nil
		}
		conns[i] = c.(*net.UnixConn)
		t.Cleanup(func() { conns[i].Close() })
	}
	return conns[0], conns[1]
}

func newTestPool(t *testing.T, size int, f *fakeStarts) (*pool, *bytes.Buffer) {
	var logged bytes.Buffer
	var mu sync.Mutex
	p := newPool(size, f.start, nil, &serverLog{Logger: log.New(lockedWriter{&mu, &logged}, "", 0)})
	t.Cleanup(func() {
		close(f.release) // any start still waiting fails
		p.close()
	})
	return p, &logged
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// waitPool waits until cond holds of the pool, under its lock.
func waitPool(t *testing.T, p *pool, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		ok := cond()
		p.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pool never got to: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPoolRefillsAfterTheCall: a call takes the waiting executor, and the
// pool starts the next one only when refill says the call has its exit.
func TestPoolRefillsAfterTheCall(t *testing.T) {
	f := newFakeStarts(t)
	p, _ := newTestPool(t, 1, f)
	f.release <- nil
	waitPool(t, p, "one executor waiting", func() bool { return len(p.ready) == 1 })
	if _, err := p.take(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := f.count(); n != 1 {
		t.Fatalf("%d starts while the call runs, want none after the first", n)
	}
	p.refill()
	f.release <- nil
	waitPool(t, p, "refilled after the call", func() bool { return len(p.ready) == 1 })
	p.refill() // full: starts nothing
	if n := f.count(); n != 2 {
		t.Errorf("%d starts, want 2", n)
	}
}

// TestPoolCallTakesTheExecutorOnItsWay: a call that finds none waiting
// takes the one being started instead of starting a second; once none is
// on its way, a call starts its own.
func TestPoolCallTakesTheExecutorOnItsWay(t *testing.T) {
	f := newFakeStarts(t)
	p, _ := newTestPool(t, 1, f)
	got := make(chan *executor)
	go func() {
		e, err := p.take()
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	waitPool(t, p, "the call waiting for the executor on its way", func() bool { return len(p.claims) == 1 })
	if n := f.count(); n != 1 {
		t.Fatalf("%d starts, want 1: the call must wait for the pool's", n)
	}
	f.release <- nil
	if e := <-got; e == nil {
		t.Fatal("no executor")
	}
	p.mu.Lock()
	ready, starting := len(p.ready), p.starting
	p.mu.Unlock()
	if ready != 0 || starting != 0 {
		t.Errorf("after the hand-over: %d waiting, %d starting; want none", ready, starting)
	}
	go func() {
		e, _ := p.take()
		got <- e
	}()
	f.release <- nil
	if e := <-got; e == nil {
		t.Fatal("a call with nothing on its way got no executor")
	}
	if n := f.count(); n != 2 {
		t.Errorf("%d starts, want 2", n)
	}
}

// TestPoolFailedStartWithACallWaiting: when the start a call waits for
// fails, the failure is logged and the call starts its own.
func TestPoolFailedStartWithACallWaiting(t *testing.T) {
	f := newFakeStarts(t)
	p, logged := newTestPool(t, 1, f)
	got := make(chan error)
	go func() {
		_, err := p.take()
		got <- err
	}()
	waitPool(t, p, "the call waiting", func() bool { return len(p.claims) == 1 })
	f.release <- errors.New("no memory")
	f.release <- nil
	if err := <-got; err != nil {
		t.Fatalf("take after a failed start: %v", err)
	}
	p.mu.Lock()
	log := logged.String()
	p.mu.Unlock()
	if !strings.Contains(log, "cannot start a pooled executor: no memory") {
		t.Errorf("the failed start was not logged: %q", log)
	}
}

// TestPoolLetGo: an idle server's pool lets its executors go, discards
// one that was on its way, and refills only once a call has taken one.
func TestPoolLetGo(t *testing.T) {
	f := newFakeStarts(t)
	p, _ := newTestPool(t, 1, f)
	f.release <- nil
	waitPool(t, p, "one executor waiting", func() bool { return len(p.ready) == 1 })
	idle, lent := p.letGo()
	if len(idle) != 1 || lent != 0 {
		t.Fatalf("letGo returned %d executors and %d lent, want 1 and 0", len(idle), lent)
	}
	idle[0].discard()
	p.refill()
	if n := f.count(); n != 1 {
		t.Fatalf("a dormant pool started an executor (%d starts)", n)
	}
	go p.take()
	f.release <- nil
	waitPool(t, p, "the call's own start done", func() bool { return !p.dormant })
	p.refill()
	f.release <- nil
	waitPool(t, p, "refilled after a call", func() bool { return len(p.ready) == 1 })
}

// TestPoolLend: an executor lent the listening socket still counts as
// waiting (no second start for it), goes back to waiting when the loan
// ends without a call, and leaves a place to refill when it takes one;
// letGo counts it, and it is discarded when it comes back to a dormant
// pool. onReady hears of every executor that starts waiting.
func TestPoolLend(t *testing.T) {
	f := newFakeStarts(t)
	var mu sync.Mutex
	readies := 0
	p := newPool(1, f.start, func() { mu.Lock(); readies++; mu.Unlock() }, &serverLog{Logger: log.New(&bytes.Buffer{}, "", 0)})
	t.Cleanup(func() {
		close(f.release)
		p.close()
	})
	heard := func() int { mu.Lock(); defer mu.Unlock(); return readies }
	if e := p.lend(); e != nil {
		t.Fatal("lent an executor before any was ready")
	}
	f.release <- nil
	waitPool(t, p, "one executor waiting", func() bool { return len(p.ready) == 1 })
	if heard() != 1 {
		t.Errorf("onReady heard %d times, want 1", heard())
	}
	e := p.lend()
	if e == nil || p.waiting() != 1 {
		t.Fatalf("lend: %v, %d waiting, want an executor and 1", e, p.waiting())
	}
	p.refill()
	if n := f.count(); n != 1 {
		t.Fatalf("the pool started another executor (%d starts) while one was lent", n)
	}
	p.lentEnded(e, false)
	if len(p.ready) != 1 || p.lent != 0 || heard() != 2 {
		t.Fatalf("after a loan without a call: %d ready, %d lent, onReady heard %d times; want 1, 0, 2", len(p.ready), p.lent, heard())
	}
	e = p.lend()
	p.lentEnded(e, true) // it took a call
	p.refill()
	f.release <- nil
	waitPool(t, p, "refilled after the lent executor took a call", func() bool { return len(p.ready) == 1 })
	e.discard()

	e = p.lend()
	idle, lent := p.letGo()
	if len(idle) != 0 || lent != 1 {
		t.Fatalf("letGo with the executor lent: %d waiting, %d lent; want 0 and 1", len(idle), lent)
	}
	p.lentEnded(e, false)
	if e.cmd.ProcessState == nil || len(p.ready) != 0 {
		t.Errorf("an executor back from its loan to a dormant pool was kept (%d ready)", len(p.ready))
	}
}
