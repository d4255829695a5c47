package executor

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pipeFds returns a pipe's ends: r, closed when the test ends, and w,
// closed by the closeW it returns, or when the test ends if not.
func pipeFds(t *testing.T) (r, w int, closeW func()) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeW = func() { once.Do(func() { unix.Close(p[1]) }) }
	t.Cleanup(func() { unix.Close(p[0]); closeW() })
	return p[0], p[1], closeW
}

func TestWaitReadable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hot    time.Duration
		after  time.Duration // the write end acts this long into the wait
		hangUp bool          // it closes instead of writing
	}{
		{"readable at once", time.Second, 0, false},
		{"readable while hot", time.Second, 30 * time.Millisecond, false},
		{"readable once cold", 20 * time.Millisecond, 80 * time.Millisecond, false},
		{"never hot", 0, 30 * time.Millisecond, false},
		{"hang-up while hot", time.Second, 30 * time.Millisecond, true},
		{"hang-up once cold", 20 * time.Millisecond, 80 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, closeW := pipeFds(t)
			act := func() {
				if tc.hangUp {
					closeW()
				} else {
					unix.Write(w, []byte{1})
				}
			}
			if tc.after == 0 {
				act()
			} else {
				time.AfterFunc(tc.after, act)
			}
			fds := []unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}}
			start := time.Now()
			if err := waitReadable(fds, tc.hot); err != nil {
				t.Fatalf("waitReadable: %v", err)
			}
			if took := time.Since(start); took < tc.after {
				t.Errorf("returned after %v, before the write end acted (%v)", took, tc.after)
			}
			if fds[0].Revents == 0 {
				t.Errorf("revents 0: returned with nothing to report")
			}
		})
	}
}

// TestHotWaitLetsRuntimeRun checks that a hot wait, which keeps the P,
// still lets the runtime run the rest of the program, with one P as an
// executor has: another goroutine, and a collection, which must stop the
// waiting goroutine. Were either starved, the pipe would stay silent for
// the whole (long) hot window.
func TestHotWaitLetsRuntimeRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, tc := range []struct {
		name string
		then func()
	}{
		{"goroutine", func() {}},
		{"collection", runtime.GC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, _ := pipeFds(t)
			go func() {
				tc.then()
				unix.Write(w, []byte{1})
			}()
			const hot = 30 * time.Second
			fds := []unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}}
			start := time.Now()
			if err := waitReadable(fds, hot); err != nil {
				t.Fatalf("waitReadable: %v", err)
			}
			if took := time.Since(start); took > hot/2 {
				t.Errorf("the other goroutine wrote only after %v of a %v hot wait: the wait starved it", took, hot)
			}
		})
	}
}

func TestWaitReadableBadFd(t *testing.T) {
	const bad = 1 << 20 // beyond any descriptor this process has open
	if _, err := unix.FcntlInt(bad, unix.F_GETFD, 0); err != unix.EBADF {
		t.Skipf("descriptor %d: %v, want EBADF", bad, err)
	}
	for _, hot := range []time.Duration{time.Second, 0} {
		fds := []unix.PollFd{{Fd: bad, Events: unix.POLLIN}}
		if err := waitReadable(fds, hot); err != nil {
			t.Fatalf("hot %v: waitReadable: %v", hot, err)
		}
		if fds[0].Revents&unix.POLLNVAL == 0 {
			t.Errorf("hot %v: revents %#x, want POLLNVAL for a closed descriptor", hot, fds[0].Revents)
		}
	}
}
