package sigcatch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The signals the tests catch.
const usr1, usr2, winch = syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH

func mustCatch(t *testing.T, sigs ...syscall.Signal) *Catcher {
	t.Helper()
	c, err := Catch(sigs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Release() })
	return c
}

// receive waits for c's Fd and returns the one signal c holds, failing
// the test after a while, or when c holds several.
func receive(t *testing.T, c *Catcher) syscall.Signal {
	t.Helper()
	if !await(c, 5*time.Second) {
		t.Fatal("no signal delivered in 5s")
	}
	sigs := c.Take()
	if len(sigs) != 1 {
		t.Fatalf("Take() = %v, want one signal", sigs)
	}
	return sigs[0]
}

// await waits until c's Fd polls readable, for at most d, and reports
// whether it did.
func await(c *Catcher, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(c.Fd()), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		n, err := unix.Poll(fds, int(time.Until(deadline)/time.Millisecond)+1)
		if err == nil && n > 0 {
			return true
		}
	}
	return false
}

// raiseOnThread sends sig to a thread other than the test's, so that the
// handler runs there, before the sending system call returns.
func raiseOnThread(t *testing.T, sig syscall.Signal) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- unix.Tgkill(unix.Getpid(), unix.Gettid(), sig)
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCatchDelivers: caught signals are taken in the order they were
// raised, however they were sent, and Fd polls readable exactly while one
// waits.
func TestCatchDelivers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		raise func(*testing.T, syscall.Signal)
	}{
		{"to the process", func(t *testing.T, sig syscall.Signal) {
			if err := syscall.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
		}},
		{"to another thread", raiseOnThread},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCatch(t, usr1, usr2, winch)
			if got := c.Caught(); !slices.Equal(got, []syscall.Signal{usr1, usr2, winch}) {
				t.Fatalf("Caught() = %v", got)
			}
			for _, sig := range []syscall.Signal{usr2, usr1, winch} {
				tc.raise(t, sig)
				if got := receive(t, c); got != sig {
					t.Errorf("raised %v, received %v", sig, got)
				}
				if await(c, 0) {
					t.Errorf("after Take, Fd still polls readable")
				}
			}
			if got := c.Take(); got != nil {
				t.Errorf("Take() with nothing caught = %v, want none", got)
			}
		})
	}
}

// TestCatchLeavesIgnoredSignals: a signal the process was started with
// ignored (nohup's SIGHUP, a background job's SIGINT) stays ignored and is
// not caught. A child started by a shell that ignores SIGHUP checks it.
// (The Go runtime keeps only SIGHUP and SIGINT ignored: it replaces the
// inherited action of the others with its own at start.)
func TestCatchLeavesIgnoredSignals(t *testing.T) {
	if os.Getenv("SIGCATCH_TEST_CHILD") == "ignored" {
		c, err := Catch(usr1, syscall.SIGHUP)
		if err != nil || !slices.Equal(c.Caught(), []syscall.Signal{usr1}) {
			fmt.Printf("Catch: %v, caught %v, want only SIGUSR1\n", err, c.Caught())
			os.Exit(1)
		}
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		syscall.Kill(os.Getpid(), usr1)
		await(c, 5*time.Second)
		if sig := c.Take(); !slices.Equal(sig, []syscall.Signal{usr1}) {
			fmt.Printf("took %v, want [SIGUSR1] (the ignored SIGHUP is not delivered)\n", sig)
			os.Exit(1)
		}
		if !signal.Ignored(syscall.SIGHUP) {
			fmt.Println("SIGHUP is no longer ignored")
			os.Exit(1)
		}
		os.Exit(0)
	}
	cmd := exec.Command("sh", "-c", `trap '' HUP; exec "$0" -test.run='^TestCatchLeavesIgnoredSignals$'`, os.Args[0])
	cmd.Env = append(os.Environ(), "SIGCATCH_TEST_CHILD=ignored")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("child: %v: %s", err, out)
	}
}

// TestReleaseReturnsPendingAndRestores: Release returns the signals not
// taken, in order, and the actions from before Catch are back: a
// signal then reaches os/signal as if Catch had never run.
func TestReleaseReturnsPendingAndRestores(t *testing.T) {
	c := mustCatch(t, usr1, usr2)
	syscall.Kill(os.Getpid(), usr1)
	waitQueued(t, c, 1)
	syscall.Kill(os.Getpid(), usr2)
	waitQueued(t, c, 2)
	if got := c.Release(); !slices.Equal(got, []syscall.Signal{usr1, usr2}) {
		t.Errorf("Release() = %v, want [SIGUSR1 SIGUSR2]", got)
	}
	if got := c.Release(); got != nil {
		t.Errorf("second Release() = %v, want nothing", got)
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, usr1)
	defer signal.Stop(ch)
	syscall.Kill(os.Getpid(), usr1)
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("after Release, SIGUSR1 did not reach os/signal: the Go runtime's action was not put back")
	}
}

// waitQueued waits until c holds n signals, without taking them.
func waitQueued(t *testing.T, c *Catcher, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		queued, err := unix.IoctlGetInt(c.Fd(), unix.TIOCINQ) // FIONREAD
		if err != nil {
			t.Fatal(err)
		}
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d signals held, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestOneCatcherAtATime: Catch fails with ErrActive while a Catcher is
// active, and works again once it is released.
func TestOneCatcherAtATime(t *testing.T) {
	c := mustCatch(t, usr1)
	if _, err := Catch(usr2); !errors.Is(err, ErrActive) {
		t.Fatalf("second Catch: %v, want ErrActive", err)
	}
	c.Release()
	c2 := mustCatch(t, usr2)
	syscall.Kill(os.Getpid(), usr2)
	if got := receive(t, c2); got != usr2 {
		t.Errorf("received %v", got)
	}
}

// TestCatchRefusals: Catch fails for what cannot be caught, and leaves
// nothing caught behind.
func TestCatchRefusals(t *testing.T) {
	for _, sigs := range [][]syscall.Signal{
		{usr1, syscall.SIGKILL},
		{syscall.SIGSTOP},
		{usr1, syscall.Signal(65)}, // no such signal
		{syscall.Signal(0)},
	} {
		if c, err := Catch(sigs...); err == nil {
			c.Release()
			t.Errorf("Catch(%v) succeeded", sigs)
		}
		c := mustCatch(t, usr1) // nothing left active
		c.Release()
	}
}

// TestReleaseWhileTaking: Release while another goroutine takes signals
// neither blocks nor loses a signal: each goes to one of the two.
func TestReleaseWhileTaking(t *testing.T) {
	for round := 0; round < 50; round++ {
		c, err := Catch(usr1, usr2)
		if err != nil {
			t.Fatal(err)
		}
		var received []syscall.Signal
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				received = append(received, c.Take()...)
			}
		}()
		// Raised on the raising thread itself, each signal is in the
		// pipe before raiseOnThread returns (one sent to the process
		// may reach its thread after Release, and its old action).
		raiseOnThread(t, usr1)
		raiseOnThread(t, usr2)
		time.Sleep(time.Duration(round%3) * time.Millisecond)
		pending := c.Release()
		close(stop)
		wg.Wait()
		if n := len(received) + len(pending); n != 2 {
			t.Fatalf("round %d: received %v and Release returned %v, want the two signals between them", round, received, pending)
		}
	}
}

// TestSignalStorm: signals arriving by the thousand on every thread while
// the runtime collects garbage and goroutines grow their stacks do not
// crash the process (the handler runs on the threads' signal stacks and
// leaves their registers as they were), and some arrive.
func TestSignalStorm(t *testing.T) {
	c := mustCatch(t, usr1, usr2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { // busy work: allocation, stack growth, system calls
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = deep(200)
				runtime.GC()
				os.Getwd()
			}
		}()
	}
	got := 0
	done := time.After(500 * time.Millisecond)
loop:
	for i := 0; ; i++ {
		select {
		case <-done:
			break loop
		default:
		}
		got += len(c.Take())
		sig := usr1
		if i%2 == 1 {
			sig = usr2
		}
		syscall.Kill(os.Getpid(), sig)
	}
	close(stop)
	wg.Wait()
	if got == 0 {
		t.Error("no signal delivered in the storm")
	}
}

func deep(n int) int {
	var pad [64]byte
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%64])
}

// TestCaughtSignalDoesNotKill runs a child that catches SIGINT and
// raises it, then releases it and raises it again: the first must not
// end it, the second must, by SIGINT (the Go runtime's action, put back).
func TestCaughtSignalDoesNotKill(t *testing.T) {
	if os.Getenv("SIGCATCH_TEST_CHILD") == "sigint" {
		c, err := Catch(syscall.SIGINT)
		if err != nil {
			os.Exit(3)
		}
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		if !await(c, 5*time.Second) || !slices.Equal(c.Take(), []syscall.Signal{syscall.SIGINT}) {
			os.Exit(4)
		}
		os.Stdout.WriteString("survived\n")
		c.Release()
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(5 * time.Second)
		os.Exit(5)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCaughtSignalDoesNotKill$")
	cmd.Env = append(os.Environ(), "SIGCATCH_TEST_CHILD=sigint")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child: %v, want death by SIGINT", err)
	}
	ws := exit.Sys().(syscall.WaitStatus)
	if string(out) != "survived\n" || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("child printed %q and ended %v, want \"survived\" then death by SIGINT", out, ws)
	}
}
