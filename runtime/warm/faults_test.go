package warm_test

import (
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"luapf/internal/testutil"
)

// The fault tests: servers and executors that die, files that vanish or
// are in the way, locks held, disks that refuse writes. SECURITY.md and the
// README's reliability notes list them.

// startLooping starts a call of status.lua that spins until killed and
// returns it once the script says it is running, with its stderr so far
// collected by the returned function after the call ends.
func (l *luapf) startLooping() (*exec.Cmd, func() string) {
	l.t.Helper()
	cmd := l.command(script("test/status.lua"), "loop")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		l.t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { cmd.Process.Kill() })
	if line, _ := readLine(stdout); line != "looping" {
		l.t.Fatalf("script said %q", line)
	}
	go io.Copy(io.Discard, stdout)
	return cmd, stderr.String
}

// TestExecutorCrash: an executor whose Go runtime crashes (here made to by
// SIGQUIT, which takes the runtime's fatal-error path: report on fd 2,
// exit 2) ends its call with status 127 and a luapf message after the
// runtime's report, the server logs the report, and serves on.
func TestExecutorCrash(t *testing.T) {
	l := newLuapf(t)
	path := script("test/status.lua")
	l.run("", path, "0")
	server := onlyPid(t, l.servers(), "server")
	cmd, stderr := l.startLooping()
	executor := onlyPid(t, l.callExecutors(), "executor of the looping call")
	syscall.Kill(executor, syscall.SIGQUIT)
	err := cmd.Wait()
	res := testutil.ResultOf(cmd, "", stderr())
	if err == nil || res.Code != 127 {
		t.Errorf("client ended with %+v, want exit status 127", res)
	}
	if !strings.HasPrefix(res.Stderr, "SIGQUIT: quit") {
		t.Errorf("the caller's stderr does not start with the runtime's report: %q", res.Stderr)
	}
	wantMsg := "\nluapf: the executor for " + path + " crashed: SIGQUIT: quit (the whole report is above and in "
	if !strings.Contains(res.Stderr, wantMsg) || !strings.HasSuffix(res.Stderr, ".log)\n") {
		t.Errorf("the caller's stderr does not end with luapf's message %q:\n%s", wantMsg, res.Stderr)
	}
	l.waitLogged("crashed (exit status 2); its report:\nSIGQUIT: quit")
	if res := l.run("", path, "3"); res.Code != 3 || res.Stderr != "" {
		t.Errorf("call after the crash: %+v", res)
	}
	if now := onlyPid(t, l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
}
