package server_test

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

// TestTermForwarded: kill -TERM of the client of a sleeping script ends the
// executor (and the sleep it runs) with SIGTERM, and the client dies of
// SIGTERM. The server logs the call as failed, naming the forwarded signal.
func TestTermForwarded(t *testing.T) {
	l := newLuapf(t)
	sleeper := script("test/sleeper.lua")
	for _, call := range []string{"spawning", "warm"} {
		c := l.start(sleeper)
		c.expect(t, "sleeping", call+" call")
		syscall.Kill(c.cmd.Process.Pid, syscall.SIGTERM)
		if res := c.end(); res.Signal != syscall.SIGTERM || res.Stdout != "" {
			t.Errorf("%s call: client ended with %+v, want death by SIGTERM and no more output", call, res)
		}
		if !l.sb.WaitNoProcesses("luapf [executor]", testutil.HangDeadline) || !l.sb.WaitNoProcesses("sleep 60", testutil.HangDeadline) {
			t.Fatalf("%s call: the script's processes outlived it: %v", call, l.sb.Processes())
		}
	}
	_, fields := statusFields(t, l.status(0, sleeper))
	if fields["calls"] != "2 served, 2 failed" {
		t.Errorf("--status: calls %q", fields["calls"])
	}
	lines := logLines(t, fields["log"], "failed: ")
	want := "call of " + sleeper + " failed: the script was killed by SIGTERM (terminated), after the caller forwarded SIGTERM"
	if len(lines) != 2 || !strings.HasSuffix(lines[0], want) || !strings.HasSuffix(lines[1], want) {
		t.Errorf("log lines of the failed calls: %q, want two ending %q", lines, want)
	}
}

// TestSignalsReachScriptChildren: USR1, WINCH and HUP sent to the client
// reach a shell the script runs, which traps and reports them; the
// executor, like luapf --standalone, ignores USR1 and WINCH and dies of
// HUP, and so does the client.
func TestSignalsReachScriptChildren(t *testing.T) {
	l := newLuapf(t)
	traps := script("test/traps.lua")
	for _, call := range []string{"spawning", "warm"} {
		c := l.start(traps)
		c.expect(t, "ready", call+" call")
		for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGUSR1, syscall.SIGHUP} {
			syscall.Kill(c.cmd.Process.Pid, sig)
			c.expect(t, "got "+strings.TrimPrefix(unix.SignalName(sig), "SIG"), fmt.Sprintf("%s call, after %v", call, sig))
		}
		if res := c.end(); res.Signal != syscall.SIGHUP || res.Stdout != "" {
			t.Errorf("%s call: client ended with %+v, want death by SIGHUP", call, res)
		}
	}
}

// TestIgnoredSignalsStayIgnored: a client started with SIGHUP ignored
// (nohup) does not forward it: the script run directly would not see it.
func TestIgnoredSignalsStayIgnored(t *testing.T) {
	l := newLuapf(t)
	traps := script("test/traps.lua")
	c := l.startCommand(l.sb.Command("nohup", l.bin, traps))
	c.expect(t, "ready", "under nohup")
	// Frames keep their order: had HUP been forwarded, the shell would
	// have reported it with USR1, and the executor would have died of it.
	syscall.Kill(c.cmd.Process.Pid, syscall.SIGHUP)
	syscall.Kill(c.cmd.Process.Pid, syscall.SIGUSR1)
	c.expect(t, "got USR1", "after SIGHUP and SIGUSR1")
	syscall.Kill(c.cmd.Process.Pid, syscall.SIGTERM)
	if res := c.end(); res.Signal != syscall.SIGTERM || res.Stdout != "" {
		t.Errorf("client ended with %+v, want death by SIGTERM and no more output", res)
	}
}

// started is a luapf call in progress whose stdout a test reads line by
// line.
type started struct {
	cmd    *exec.Cmd
	stdout io.Reader
}

// start starts luapf with args (see startCommand).
func (l *luapf) start(args ...string) *started {
	l.t.Helper()
	return l.startCommand(l.command(args...))
}

// startCommand starts cmd, a luapf call. If the test has not ended it
// within testutil.HangDeadline, a watchdog kills the client, so that a
// missing line fails the test instead of hanging it: the server then
// interrupts the script, which closes stdout.
func (l *luapf) startCommand(cmd *exec.Cmd) *started {
	l.t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		l.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	watchdog := time.AfterFunc(testutil.HangDeadline, func() { cmd.Process.Kill() })
	l.t.Cleanup(func() { watchdog.Stop() })
	return &started{cmd: cmd, stdout: stdout}
}

// expect reads a line and fails the test unless it is want.
func (s *started) expect(t *testing.T, want, when string) {
	t.Helper()
	if line, err := readLine(s.stdout); line != want {
		t.Fatalf("%s: the script said %q (%v), want %q", when, line, err, want)
	}
}

// end reads the rest of stdout, waits for the client and returns how it
// ended.
func (s *started) end() testutil.Result {
	rest, _ := io.ReadAll(s.stdout)
	s.cmd.Wait()
	return testutil.ResultOf(s.cmd, string(rest), "")
}

// TestQuit: SIGQUIT (Ctrl-\) quits a script the way it quits any program:
// run standalone it dies of SIGQUIT; warm, the forwarded signal kills the
// executor, and the client reports it as it reports every signal it does
// not re-raise. Neither prints Go's goroutine dump. (The script blocks
// reading stdin, so that nothing but the signal can end it.)
func TestQuit(t *testing.T) {
	l := newLuapf(t)
	block := script("test/block.lua")
	for _, run := range []struct {
		name string
		args []string
	}{{"standalone", []string{"--standalone", block}}, {"spawning", []string{block}}, {"warm", []string{block}}} {
		cmd := l.command(run.args...)
		stdin, _ := cmd.StdinPipe()
		defer stdin.Close()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		c := l.startCommand(cmd)
		c.expect(t, "waiting", run.name)
		syscall.Kill(c.cmd.Process.Pid, syscall.SIGQUIT)
		res := c.end()
		res.Stderr = stderr.String()
		switch {
		case run.name == "standalone" && (res.Signal != syscall.SIGQUIT || res.Stderr != ""):
			t.Errorf("standalone: SIGQUIT ended it with %+v, want death by SIGQUIT and nothing on stderr", res)
		case run.name != "standalone" && (res.Code != 127 || !strings.HasPrefix(res.Stderr, "luapf: script killed by signal 3 (SIGQUIT: quit)") ||
			strings.Count(res.Stderr, "\n") != 1):
			t.Errorf("%s call: SIGQUIT ended it with %+v, want exit 127 and one line on stderr", run.name, res)
		}
	}
}

// TestFirstCallerIgnoringInterrupt: a server started by a caller that
// ignores SIGINT (a background job of a script) does not pass the ignoring
// on to its executors: a later caller's Ctrl-C still ends the script.
func TestFirstCallerIgnoringInterrupt(t *testing.T) {
	l := newLuapf(t)
	sleeper := script("test/sleeper.lua")
	first := l.startCommand(l.sb.Command("sh", "-c", `trap "" INT QUIT; exec "$0" "$1"`, l.bin, sleeper))
	first.expect(t, "sleeping", "the call that starts the server, ignoring SIGINT")
	second := l.start(sleeper)
	second.expect(t, "sleeping", "a later call")
	syscall.Kill(second.cmd.Process.Pid, syscall.SIGINT)
	if res := second.end(); res.Signal != syscall.SIGINT {
		t.Errorf("Ctrl-C on the later call: client ended with %+v, want death by SIGINT", res)
	}
	syscall.Kill(first.cmd.Process.Pid, syscall.SIGTERM)
	if res := first.end(); res.Signal != syscall.SIGTERM {
		t.Errorf("the first call: client ended with %+v, want death by SIGTERM", res)
	}
}

// TestStoppedCallAbandoned: a call stopped with SIGTSTP whose client is
// then killed is interrupted with SIGINT, and continued so that SIGINT
// takes effect, rather than left stopped until SIGKILL.
func TestStoppedCallAbandoned(t *testing.T) {
	l := newLuapf(t)
	sleeper := script("test/sleeper.lua")
	// The client runs as a job of this test, as of a shell: in a process
	// group of its own whose parent is in another group of the session.
	// Left in the test's own group, which may be orphaned (go test run
	// from a script, under setsid), the kernel would discard the client's
	// stop and the client continue the executor at once.
	cmd := l.command(sleeper)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c := l.startCommand(cmd)
	c.expect(t, "sleeping", "the call")
	executor := l.onlyPid(l.callExecutors(), "executor")
	syscall.Kill(c.cmd.Process.Pid, syscall.SIGTSTP)
	testutil.WaitFor(t, "the executor to stop", func() bool { return procState(executor) == 'T' })
	c.cmd.Process.Kill()
	if res := c.end(); res.Signal != syscall.SIGKILL {
		t.Fatalf("client ended with %+v", res)
	}
	if !l.sb.WaitNoProcesses("luapf [executor]", testutil.HangDeadline) {
		t.Fatalf("the abandoned executor is still there: %v", l.executors())
	}
	_, fields := statusFields(t, l.status(0, sleeper))
	want := "its caller went away during the call; the executor was interrupted and ended with SIGINT (interrupt), after the caller forwarded SIGTSTP"
	if lines := logLines(t, fields["log"], "failed: "); len(lines) != 1 || !strings.HasSuffix(lines[0], want) {
		t.Errorf("log lines of failed calls: %q, want one ending %q", lines, want)
	}
}
