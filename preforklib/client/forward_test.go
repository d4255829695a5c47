package client

import (
	"bytes"
	"io"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
)

// TestInteropSignalsNotForwarded: against the Perl server, which offers no
// signal forwarding, the client behaves as before: SIGUSR1 is ignored (Go's
// default) and the call ends normally; SIGTERM kills the client at once,
// with no error message, and the server interrupts the script.
func TestInteropSignalsNotForwarded(t *testing.T) {
	testutil.RequirePeer(t, testutil.PerlServer)
	sb := testutil.NewSandbox(t)
	client, script := preforkInterpLink(t), testdata(t, "wait.pl")
	call := func() (*exec.Cmd, io.WriteCloser, io.Reader, *bytes.Buffer) {
		t.Helper()
		cmd := sb.Command(client, "-U", "perl", script)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		stderr := &bytes.Buffer{} // read only after Wait
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		watchdog := time.AfterFunc(testutil.HangDeadline, func() { cmd.Process.Kill() })
		t.Cleanup(func() { watchdog.Stop() })
		if line := firstLine(stdout); line != "waiting" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("wait.pl said %q; stderr %q", line, stderr.String())
		}
		return cmd, stdin, stdout, stderr
	}

	cmd, stdin, stdout, stderr := call()
	syscall.Kill(cmd.Process.Pid, syscall.SIGUSR1)
	stdin.Close()
	rest, _ := io.ReadAll(stdout)
	cmd.Wait()
	if res := testutil.ResultOf(cmd, string(rest), stderr.String()); res.Code != 0 || res.Stdout != "done\n" || res.Stderr != "" {
		t.Errorf("call given SIGUSR1: %+v, want exit 0, \"done\", no stderr", res)
	}

	cmd, stdin, stdout, stderr = call()
	defer stdin.Close()
	syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	cmd.Wait()
	if res := testutil.ResultOf(cmd, "", stderr.String()); res.Signal != syscall.SIGTERM || res.Stderr != "" {
		t.Errorf("call given SIGTERM: %+v, want death by SIGTERM and no stderr", res)
	}
	if rest, _ := io.ReadAll(stdout); string(rest) != "" {
		t.Errorf("the interrupted script went on to print %q", rest)
	}
}

// firstLine reads a line from r without reading past it.
func firstLine(r io.Reader) string {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := r.Read(b); err != nil || b[0] == '\n' {
			return string(line)
		}
		line = append(line, b[0])
	}
}
