package preforklib

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
)

// hangDeadline is how long a test waits for something that should happen
// promptly before it calls it a hang. It detects hangs; it times nothing.
const hangDeadline = 30 * time.Second

// ended is how a process ended and what it wrote.
type ended struct {
	stdout, stderr string
	code           int            // exit code; -1 when killed
	signal         syscall.Signal // the signal that killed it
}

// runToEnd runs cmd with stdin and waits for it and for end of file on its
// stdout and stderr. It fails the test if the process hangs, or if its
// stdout or stderr stay open after it exits: some process it started kept
// them, and `cmd | cat` would hang.
func runToEnd(t *testing.T, cmd *exec.Cmd, stdin string) ended {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = hangDeadline
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %q: %v", cmd.Args, err)
	}
	var hung atomic.Bool
	timer := time.AfterFunc(hangDeadline, func() { hung.Store(true); cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	switch {
	case hung.Load():
		t.Fatalf("%q hung (killed after %v); stderr so far: %q", cmd.Args, hangDeadline, stderr.String())
	case errors.Is(err, exec.ErrWaitDelay):
		t.Fatalf("%q exited but its stdout or stderr stayed open for %v: a process it started keeps them", cmd.Args, hangDeadline)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run %q: %v", cmd.Args, err)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	out := ended{stdout: stdout.String(), stderr: stderr.String(), code: ws.ExitStatus()}
	if ws.Signaled() {
		out.code, out.signal = -1, ws.Signal()
	}
	return out
}

// preforkInterpLink returns luapf under the name prefork-interp, a symbolic
// link to the real binary in a directory of the test's own.
func preforkInterpLink(t *testing.T) string {
	t.Helper()
	link := filepath.Join(t.TempDir(), PreforkInterpName)
	if err := os.Symlink(testutil.Binary(t), link); err != nil {
		t.Fatal(err)
	}
	return link
}

// requirePerlPeer fails the test when the Perl server library is missing:
// the interop tests are the proof of compatibility and must not be skipped.
func requirePerlPeer(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("perl", "-MProc::Prefork::Interp", "-MIO::FDPass", "-e1").CombinedOutput(); err != nil {
		t.Fatalf("the Perl peer (Proc::Prefork::Interp, IO::FDPass) is not installed; run .ci/install-peers.sh: %v\n%s", err, out)
	}
}

// testdata returns the absolute path of a file in testdata.
func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond until it holds, failing the test after hangDeadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", hangDeadline, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
