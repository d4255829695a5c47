package client

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib"
	"luapf/preforklib/reexec"
	"luapf/preforklib/rundir"
)

// The interop tests drive the real Perl server library (Proc::Prefork::Interp)
// through luapf running as prefork-interp, the way a Perl script with
// #!/usr/bin/prefork-interp -U,perl would: prefork-interp -U perl call.pl ARGS.

// perlCall is one call of testdata/call.pl through luapf.
type perlCall struct {
	t      *testing.T
	sb     *testutil.Sandbox
	client string // luapf as prefork-interp
	script string
}

func newPerlCall(t *testing.T) *perlCall {
	t.Helper()
	testutil.RequirePeer(t, testutil.PerlServer)
	return &perlCall{t: t, sb: testutil.NewSandbox(t), client: preforkInterpLink(t), script: testdata(t, "call.pl")}
}

// command returns the client command line for the script with options
// before the interpreter and args after the script.
func (p *perlCall) command(options []string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{"-U"}, options...), "perl", p.script), args...)
	return p.sb.Command(p.client, argv...)
}

// run makes a call and returns how it ended.
func (p *perlCall) run(stdin string, env []string, options []string, args ...string) testutil.Result {
	p.t.Helper()
	cmd := p.command(options, args...)
	cmd.Env = p.sb.WithEnv(env...)
	return testutil.Run(p.t, cmd, stdin)
}

// servers returns the Perl server processes of the sandbox.
func (p *perlCall) servers() map[int]string {
	return p.sb.ProcessesMatching(p.script + " [server]")
}

var serverLine = regexp.MustCompile(`(?m)^server=(\d+)$`)

// serverOf returns the server id a call of call.pl reported.
func serverOf(t *testing.T, e testutil.Result) string {
	t.Helper()
	m := serverLine.FindStringSubmatch(e.Stdout)
	if m == nil {
		t.Fatalf("no server id in the output %q (stderr %q, exit %d)", e.Stdout, e.Stderr, e.Code)
	}
	return m[1]
}

// TestInteropCalls makes a spawning call and 50 warm calls and checks each
// for stdout, stderr, stdin pass-through, argv, an environment variable
// and the exit code (0, 3 and 77 in turn), all served by one server.
func TestInteropCalls(t *testing.T) {
	p := newPerlCall(t)
	codes := []int{0, 3, 77}
	var server string
	for i := 0; i <= 50; i++ {
		code := codes[i%len(codes)]
		arg := fmt.Sprintf("arg %d", i)
		e := p.run(fmt.Sprintf("input of call %d\n", i), []string{fmt.Sprintf("LUAPF_TEST_VAR=value %d", i)}, nil,
			fmt.Sprint(code), arg, "")
		wantOut := fmt.Sprintf("argv=perl|%s|%d|%s|\nenv=value %d\nserver=%s\nstdin=INPUT OF CALL %d\n\n",
			p.script, code, arg, i, serverOf(t, e), i)
		if e.Stdout != wantOut || e.Stderr != fmt.Sprintf("stderr %s|\n", arg) || e.Code != code {
			t.Fatalf("call %d: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
				i, e.Code, e.Stdout, e.Stderr, code, wantOut, fmt.Sprintf("stderr %s|\n", arg))
		}
		if i == 0 {
			server = serverOf(t, e)
		} else if got := serverOf(t, e); got != server {
			t.Fatalf("call %d was served by server %s, the first by %s", i, got, server)
		}
	}
	if n := len(p.servers()); n != 1 {
		t.Errorf("%d servers running, want 1: %v", n, p.servers())
	}
}

// TestInteropSignals checks death by a signal the client passes on, and by
// one it reports instead.
func TestInteropSignals(t *testing.T) {
	p := newPerlCall(t)
	e := p.run("", nil, nil, "kill", "TERM")
	if e.Signal != syscall.SIGTERM {
		t.Errorf("script killed by SIGTERM: client ended with code %d, signal %v, stderr %q", e.Code, e.Signal, e.Stderr)
	}
	e = p.run("", nil, nil, "kill", "USR1")
	if e.Code != preforklib.ExitLuapfError || e.Stderr != "luapf: script killed by signal 10 (SIGUSR1: user defined signal 1)\n" {
		t.Errorf("script killed by SIGUSR1: client ended with code %d, signal %v, stderr %q", e.Code, e.Signal, e.Stderr)
	}
}

// TestInteropKill checks that --kill stops the server completely and that
// the next call starts a new one.
func TestInteropKill(t *testing.T) {
	p := newPerlCall(t)
	first := serverOf(t, p.run("", nil, nil, "0"))
	if e := p.run("", nil, []string{"--kill"}); e.Code != 0 || e.Stdout != "" || e.Stderr != "" {
		t.Fatalf("--kill: exit %d, stdout %q, stderr %q", e.Code, e.Stdout, e.Stderr)
	}
	if !p.sb.WaitNoProcesses(p.script, testutil.HangDeadline) {
		t.Fatalf("processes of the killed server remain: %v", p.sb.ProcessesMatching(p.script))
	}
	if !p.sb.WaitNoProcesses(reexec.RoleArgv0(reexec.RoleWatcher), testutil.HangDeadline) {
		t.Fatalf("the killed server's watcher remains: %v", p.sb.ProcessesMatching(reexec.RoleArgv0(reexec.RoleWatcher)))
	}
	if entries, _ := filepath.Glob(filepath.Join(p.sb.Home, ".luapf", "*", "[sl]*")); len(entries) != 0 {
		t.Errorf("--kill left %v", entries)
	}
	second := serverOf(t, p.run("", nil, nil, "0"))
	if second == first {
		t.Errorf("the call after --kill was served by the killed server %s", first)
	}
	// Stop the second server, then --kill again with none running: not an error.
	if e := p.run("", nil, []string{"--kill"}); e.Code != 0 {
		t.Errorf("second --kill: exit %d, stderr %q", e.Code, e.Stderr)
	}
	if e := p.run("", nil, []string{"--kill"}); e.Code != 0 {
		t.Errorf("--kill without a server: exit %d, stderr %q", e.Code, e.Stderr)
	}
}

// TestInteropKillAll checks that luapf --kill --all stops a Perl server
// that luapf, as prefork-interp, started in its run directory.
func TestInteropKillAll(t *testing.T) {
	p := newPerlCall(t)
	serverOf(t, p.run("", nil, nil, "0"))
	e := testutil.Run(t, p.sb.Command(testutil.Binary(t), "--kill", "--all"), "")
	if e.Code != 0 || e.Stdout != "" || e.Stderr != "" {
		t.Fatalf("luapf --kill --all: exit %d, stdout %q, stderr %q", e.Code, e.Stdout, e.Stderr)
	}
	if !p.sb.WaitNoProcesses(p.script, testutil.HangDeadline) {
		t.Fatalf("processes of the Perl server remain: %v", p.sb.ProcessesMatching(p.script))
	}
	if entries, _ := filepath.Glob(filepath.Join(p.sb.Home, ".luapf", "*", "[sl]*")); len(entries) != 0 {
		t.Errorf("--kill --all left %v", entries)
	}
}

// TestInteropFresh checks that -f starts a new server that serves the call
// and later calls, and that the old server quits.
func TestInteropFresh(t *testing.T) {
	p := newPerlCall(t)
	old := serverOf(t, p.run("", nil, nil, "0"))
	fresh := serverOf(t, p.run("", nil, []string{"-f"}, "0"))
	if fresh == old {
		t.Fatalf("-f was served by the old server %s", old)
	}
	testutil.WaitFor(t, "the old server quits", func() bool {
		for pid := range p.servers() {
			if fmt.Sprint(pid) == old {
				return false
			}
		}
		return true
	})
	if got := serverOf(t, p.run("", nil, nil, "0")); got != fresh {
		t.Errorf("the call after -f was served by %s, want the fresh server %s", got, fresh)
	}
	if n := len(p.servers()); n != 1 {
		t.Errorf("%d servers running, want 1: %v", n, p.servers())
	}
	if n := len(p.sb.ProcessesMatching(reexec.RoleArgv0(reexec.RoleWatcher))); n != 1 {
		t.Errorf("%d watchers running, want 1", n)
	}
}

// TestInteropConcurrentColdStart starts 20 calls at once with no server:
// exactly one server must start, and every call must succeed.
func TestInteropConcurrentColdStart(t *testing.T) {
	p := newPerlCall(t)
	const n = 20
	results := make([]testutil.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = p.run(fmt.Sprint(i), nil, nil, "0", fmt.Sprint(i))
		}()
	}
	wg.Wait()
	servers := map[string]bool{}
	for i, e := range results {
		if e.Code != 0 || !strings.Contains(e.Stdout, fmt.Sprintf("stdin=%d\n", i)) {
			t.Errorf("call %d: exit %d, stdout %q, stderr %q", i, e.Code, e.Stdout, e.Stderr)
			continue
		}
		servers[serverOf(t, e)] = true
	}
	if len(servers) != 1 {
		t.Errorf("the calls were served by %d servers, want 1", len(servers))
	}
	if got := p.servers(); len(got) != 1 {
		t.Errorf("%d servers running, want 1: %v", len(got), got)
	}
	if got := p.sb.ProcessesMatching(reexec.RoleArgv0(reexec.RoleWatcher)); len(got) != 1 {
		t.Errorf("%d watchers running, want 1: %v", len(got), got)
	}
}

// TestInteropPipelineEnds checks that `prefork-interp ... | cat` ends when
// the script ends, for the call that starts the server and a warm call:
// no process the client starts may keep the caller's stdout.
func TestInteropPipelineEnds(t *testing.T) {
	p := newPerlCall(t)
	for _, which := range []string{"spawning", "warm"} {
		cmd := p.sb.Command("sh", "-c", `"$0" -U perl "$1" 0 | cat`, p.client, p.script)
		e := testutil.Run(t, cmd, "piped")
		if e.Code != 0 || !strings.Contains(e.Stdout, "stdin=PIPED") {
			t.Errorf("%s call through a pipe: exit %d, stdout %q, stderr %q", which, e.Code, e.Stdout, e.Stderr)
		}
	}
}

// TestInteropNoInheritedLeaks checks that the lock and the descriptors the
// client inherited besides 0, 1 and 2 do not reach the server or watcher.
func TestInteropNoInheritedLeaks(t *testing.T) {
	p := newPerlCall(t)
	r, w := testutil.Pipe(t)
	cmd := p.command(nil, "0")
	cmd.ExtraFiles = []*os.File{w} // fd 3 of the client, not close-on-exec
	if e := testutil.Run(t, cmd, ""); e.Code != 0 {
		t.Fatalf("call: exit %d, stderr %q", e.Code, e.Stderr)
	}
	w.Close()
	testutil.WaitWriteEndsClosed(t, r, "the client's fd 3")

	locks, _ := filepath.Glob(filepath.Join(p.sb.Home, ".luapf", "*", "l*"))
	if len(locks) != 1 {
		t.Fatalf("lock files %v, want one", locks)
	}
	l, held, err := rundir.TryLock(locks[0])
	if err != nil || held {
		t.Fatalf("the server's lock is held after the call (%v): a process it started inherited it", err)
	}
	l.Release()
	runDir := filepath.Dir(locks[0])
	testutil.ExpectDirMode(t, runDir, 0o700)
	testutil.ExpectDirMode(t, filepath.Dir(runDir), 0o700)
}

// TestInteropAutoreload checks that when the script changes, the Perl
// server quits instead of accepting the next call, and that the client,
// seeing the connection end before the greeting, starts a fresh server.
func TestInteropAutoreload(t *testing.T) {
	p := newPerlCall(t)
	src, err := os.ReadFile(p.script)
	if err != nil {
		t.Fatal(err)
	}
	p.script = filepath.Join(p.sb.Dir, "call.pl")
	if err := os.WriteFile(p.script, src, 0o644); err != nil {
		t.Fatal(err)
	}
	old := serverOf(t, p.run("", nil, nil, "0"))
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(p.script, future, future); err != nil {
		t.Fatal(err)
	}
	e := p.run("", nil, nil, "0")
	if e.Code != 0 || serverOf(t, e) == old {
		t.Errorf("call after the script changed: exit %d, stderr %q, server %s (the old one was %s)", e.Code, e.Stderr, serverOf(t, e), old)
	}
}
