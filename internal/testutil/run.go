package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// HangDeadline is how long a test waits for something that should happen
// promptly before it calls it a hang. It detects hangs; it times nothing.
const HangDeadline = 30 * time.Second

// Result is how a process ended and what it wrote.
type Result struct {
	Stdout, Stderr string
	Code           int            // exit code; -1 when killed by a signal
	Signal         syscall.Signal // the signal that killed it
}

// Run runs cmd with stdin and waits for it and for end of file on its
// stdout and stderr. It fails the test if the process hangs, or if its
// stdout or stderr stay open after it exits: some process it started kept
// them, and `cmd | cat` would hang.
func Run(t testing.TB, cmd *exec.Cmd, stdin string) Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = HangDeadline
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %q: %v", cmd.Args, err)
	}
	var hung atomic.Bool
	timer := time.AfterFunc(HangDeadline, func() { hung.Store(true); cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	switch {
	case hung.Load():
		t.Fatalf("%q hung (killed after %v); stderr so far: %q", cmd.Args, HangDeadline, stderr.String())
	case errors.Is(err, exec.ErrWaitDelay):
		t.Fatalf("%q exited but its stdout or stderr stayed open for %v: a process it started keeps them", cmd.Args, HangDeadline)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run %q: %v", cmd.Args, err)
	}
	return ResultOf(cmd, stdout.String(), stderr.String())
}

// ResultOf builds the Result of a command that has been waited for.
func ResultOf(cmd *exec.Cmd, stdout, stderr string) Result {
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	out := Result{Stdout: stdout, Stderr: stderr, Code: ws.ExitStatus()}
	if ws.Signaled() {
		out.Code, out.Signal = -1, ws.Signal()
	}
	return out
}

// Diff reports how got differs from want, stdout, stderr and status, or
// "" when they agree: the differential oracle's comparison.
func (want Result) Diff(got Result) string {
	var diffs []string
	if got.Stdout != want.Stdout {
		diffs = append(diffs, "stdout:\n--- want\n"+want.Stdout+"\n--- got\n"+got.Stdout)
	}
	if got.Stderr != want.Stderr {
		diffs = append(diffs, "stderr:\n--- want\n"+want.Stderr+"\n--- got\n"+got.Stderr)
	}
	if got.Code != want.Code || got.Signal != want.Signal {
		diffs = append(diffs, fmt.Sprintf("status: want code %d signal %v, got code %d signal %v", want.Code, want.Signal, got.Code, got.Signal))
	}
	return strings.Join(diffs, "\n")
}

// WaitFor polls cond until it holds, failing the test after HangDeadline.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Eventually(cond) {
		t.Fatalf("timed out after %v waiting until %s", HangDeadline, what)
	}
}

// Eventually polls cond until it holds, for at most HangDeadline, and
// reports whether it did: for a test that says more than WaitFor when it
// fails.
func Eventually(cond func() bool) bool {
	deadline := time.Now().Add(HangDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Pipe returns a pipe whose ends are closed when the test ends.
func Pipe(t testing.TB) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// WaitWriteEndsClosed waits until the pipe whose read end is r reaches end
// of file: no process holds a write end any more. It fails the test after
// HangDeadline.
func WaitWriteEndsClosed(t testing.TB, r *os.File, what string) {
	t.Helper()
	eof := make(chan struct{})
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				close(eof)
				return
			}
		}
	}()
	select {
	case <-eof:
	case <-time.After(HangDeadline):
		t.Fatalf("after %v a process still holds %s", HangDeadline, what)
	}
}
