package server_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib/rundir"
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
// SIGABRT, which takes the runtime's fatal-error path: report on fd 2,
// exit 2; SIGQUIT would too, but executors give it its default action)
// ends its call with status 127 and a luapf message after the runtime's
// report, the server logs the report, and serves on.
func TestExecutorCrash(t *testing.T) {
	l := newLuapf(t)
	path := script("test/status.lua")
	l.run("", path, "0")
	server := l.onlyPid(l.servers(), "server")
	cmd, stderr := l.startLooping()
	executor := l.onlyPid(l.callExecutors(), "executor of the looping call")
	syscall.Kill(executor, syscall.SIGABRT)
	err := cmd.Wait()
	res := testutil.ResultOf(cmd, "", stderr())
	if err == nil || res.Code != 127 {
		t.Errorf("client ended with %+v, want exit status 127", res)
	}
	if !strings.HasPrefix(res.Stderr, "SIGABRT: abort") {
		t.Errorf("the caller's stderr does not start with the runtime's report: %q", res.Stderr)
	}
	wantMsg := "\nluapf: the executor for " + path + " crashed: SIGABRT: abort (the whole report is above and in "
	if !strings.Contains(res.Stderr, wantMsg) || !strings.HasSuffix(res.Stderr, ".log)\n") {
		t.Errorf("the caller's stderr does not end with luapf's message %q:\n%s", wantMsg, res.Stderr)
	}
	l.waitLogged("crashed (exit status 2); its report:\nSIGABRT: abort")
	if res := l.run("", path, "3"); res.Code != 3 || res.Stderr != "" {
		t.Errorf("call after the crash: %+v", res)
	}
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	state := procStatus(pid, "State")
	return state != "" && !strings.HasPrefix(state, "Z")
}

// waitGone waits until none of pids is alive and returns how long that
// took; it fails the test on a hang.
func waitGone(t *testing.T, what string, pids ...int) time.Duration {
	t.Helper()
	start := time.Now()
	testutil.WaitFor(t, what+" to end", func() bool {
		for _, pid := range pids {
			if alive(pid) {
				return false
			}
		}
		return true
	})
	return time.Since(start)
}

// TestServerKilledBetweenCalls: after its server is SIGKILLed, the next
// call starts a new one and gets exactly what a warm call gets; the old
// server's pooled executor and watcher are gone.
func TestServerKilledBetweenCalls(t *testing.T) {
	l := newLuapf(t)
	path := script("hello.lua")
	want := l.run("", path, "again")
	old := l.onlyPid(l.servers(), "server")
	oldExecutor := l.pooledExecutor()
	oldWatcher := l.onlyPid(l.sb.ProcessesMatching("luapf [watcher]"), "watcher")
	syscall.Kill(old, syscall.SIGKILL)
	waitGone(t, "the killed server", old)
	if d := sameResult(want, l.run("", path, "again")); d != "" {
		t.Errorf("the call after the kill differs from a normal call:\n%s", d)
	}
	if now := l.onlyPid(l.servers(), "server"); now == old {
		t.Errorf("no new server")
	}
	waitGone(t, "the killed server's executor and watcher", oldExecutor, oldWatcher)
}

// TestServerKilledDuringCall: a call whose server is SIGKILLed under it
// ends within 2 s with a non-zero status and a luapf message, its executor
// goes too, and the next call starts a new server.
func TestServerKilledDuringCall(t *testing.T) {
	l := newLuapf(t)
	cmd, stderr := l.startLooping()
	server := l.onlyPid(l.servers(), "server")
	executor := l.onlyPid(l.callExecutors(), "executor of the looping call")
	killed := time.Now()
	syscall.Kill(server, syscall.SIGKILL)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testutil.HangDeadline):
		t.Fatalf("the client still waits %v after its server was killed", testutil.HangDeadline)
	}
	if took := time.Since(killed); took > 2*time.Second {
		t.Errorf("the client took %v to end after its server was killed, want at most 2 s", took)
	}
	res := testutil.ResultOf(cmd, "", stderr())
	if res.Code == 0 || res.Signal != 0 || !strings.HasPrefix(res.Stderr, "luapf: ") ||
		!strings.Contains(res.Stderr, "went away before reporting the script's exit status") {
		t.Errorf("client ended with %+v; want a non-zero exit and luapf's message", res)
	}
	waitGone(t, "the executor of the killed server", executor)
	if res := l.run("", script("test/status.lua"), "4"); res.Code != 4 || res.Stderr != "" {
		t.Errorf("call after the kill: %+v", res)
	}
}

// TestServerQuitsWhenFilesRemoved: when its socket, or the whole run
// directory, is deleted, the server quits within 2 s, and the next call
// starts a new one.
func TestServerQuitsWhenFilesRemoved(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove func(l *luapf) error
	}{
		{"socket", func(l *luapf) error { return os.Remove(l.serverFile("s")) }},
		{"run directory", func(l *luapf) error { return os.RemoveAll(l.runDir()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := script("hello.lua")
			l.run("", path)
			server := l.onlyPid(l.servers(), "server")
			if err := tc.remove(l); err != nil {
				t.Fatal(err)
			}
			if took := waitGone(t, "the server", server); took > 2*time.Second {
				t.Errorf("the server took %v to quit, want at most 2 s", took)
			}
			if res := l.run("", path, "again"); res.Code != 0 || res.Stdout != "Hello, again!\n" || res.Stderr != "" {
				t.Errorf("call after the removal: %+v", res)
			}
			if now := l.onlyPid(l.servers(), "server"); now == server {
				t.Errorf("the old server %d still serves", server)
			}
		})
	}
}

// TestSocketPathObstructed: something other than a server's socket at the
// socket path is removed and replaced by a server, or, when it cannot be
// removed, makes a clear error; never a hang.
func TestSocketPathObstructed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		obstruct func(t *testing.T, path string)
		err      string // "" when the call must succeed
	}{
		{"regular file", func(t *testing.T, path string) { writeFile(t, path, "not a socket") }, ""},
		{"empty directory", func(t *testing.T, path string) { mkdirAll(t, path) }, ""},
		{"directory with a file", func(t *testing.T, path string) { // no server: the script runs in the client
			mkdirAll(t, path)
			writeFile(t, filepath.Join(path, "f"), "")
		}, "directory not empty"},
		{"file over a served socket", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "not a socket")
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := script("hello.lua")
			// A fixed ident names the socket before any server exists;
			// --kill makes the run directory.
			args := []string{"-g", "obstructed", path}
			if tc.name == "file over a served socket" {
				l.run("", args...)
			} else {
				l.run("", append([]string{"--kill"}, args...)...)
			}
			sock := filepath.Join(l.runDir(), "sobstructed")
			tc.obstruct(t, sock)
			res := l.run("", append(args, "through")...)
			if tc.err == "" {
				if res.Code != 0 || res.Stdout != "Hello, through!\n" || res.Stderr != "" {
					t.Errorf("call: %+v", res)
				}
				if fi, err := os.Lstat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
					t.Errorf("%s is not a socket after the call: %v, %v", sock, fi, err)
				}
				return
			}
			if res.Code != 0 || res.Stdout != "Hello, through!\n" || !isFallbackWarning(res.Stderr) ||
				!strings.Contains(res.Stderr, sock) || !strings.Contains(res.Stderr, tc.err) {
				t.Errorf("call: %+v; want the script run without a server, after a warning naming %s and saying %q", res, sock, tc.err)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mkdirAll(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
}

// TestLockHeld: while another process holds a server's lock, callers that
// need it (no server runs) wait for it, and proceed once it is released;
// callers of a running server do not need it at all.
func TestLockHeld(t *testing.T) {
	l := newLuapf(t)
	path := script("hello.lua")
	args := []string{"-g", "locked", path}
	l.run("", append([]string{"--kill"}, args...)...) // makes the run directory
	lockPath := filepath.Join(l.runDir(), "llocked")
	lock, err := rundir.AcquireLock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	const callers = 3
	results := make([]testutil.Result, callers)
	var finished atomic.Int32
	var wg sync.WaitGroup
	defer wg.Wait()      // second: the callers end,
	defer lock.Release() // first: whatever happens, once the lock is free
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.run("", append(args, "waiter")...)
			finished.Add(1)
		}()
	}
	testutil.WaitFor(t, "every caller to wait for the lock", func() bool { return testutil.FlockWaiters(t, lockPath) == callers })
	if n := finished.Load(); n > 0 {
		t.Fatalf("%d callers ended while the lock was held", n)
	}
	lock.Release()
	wg.Wait()
	for _, res := range results {
		if res.Code != 0 || res.Stdout != "Hello, waiter!\n" || res.Stderr != "" {
			t.Errorf("caller after the lock was released: %+v", res)
		}
	}
	l.onlyPid(l.servers(), "server")

	if lock, err = rundir.AcquireLock(lockPath); err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if res := l.run("", append(args, "warm")...); res.Code != 0 || res.Stdout != "Hello, warm!\n" {
		t.Errorf("warm call while the lock is held: %+v", res)
	}
}

// TestRunDirUnwritable: a run directory that cannot be written, or a disk
// with no room for a lock or socket, runs the script without a server after
// one warning with the path and the system's reason; no room for the log,
// found once the initialisation has run, makes a clear luapf error (exit
// 127), not a hang, a Lua traceback or a second run; a disk with inodes but
// no room for data still serves. Each case runs
// the client in its own mount namespace (unshare) with a small tmpfs as
// HOME/.luapf, so nothing is mounted outside the test. Needs root.
func TestRunDirUnwritable(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name, mount string
		fill        bool   // fill the file system's data blocks first
		err         string // "" when the call must succeed
		fallback    bool   // the script runs without a server, after a warning
	}{
		{"read-only", "ro", false, "create run directory: mkdir ", true},
		{"no inode for the lock", "nr_inodes=2", false, "open lock: open ", true},
		{"no inode for the socket", "nr_inodes=3", false, "bind listening socket ", true},
		{"no inode for the log", "nr_inodes=4", false, "the server for " + script("hello.lua") + " did not start: open log file ", false},
		{"no room for data", "size=64k", true, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			mkdirAll(t, filepath.Join(l.sb.Home, ".luapf"))
			prepare := `mount -t tmpfs -o "$1" luapf-test "$HOME/.luapf"`
			if tc.fill {
				prepare += ` && mkdir -m 0700 "$HOME/.luapf/$(uname -n | cut -d. -f1)" && { head -c 1M /dev/zero > "$HOME/.luapf/fill" 2>/dev/null; true; }`
			}
			cmd := l.sb.Command("unshare", "--mount", "sh", "-c", prepare+` && shift && exec "$@"`,
				"sh", tc.mount, l.bin, script("hello.lua"), "full")
			res := testutil.Run(t, cmd, "")
			if tc.err == "" {
				if res.Code != 0 || res.Stdout != "Hello, full!\n" || res.Stderr != "" {
					t.Errorf("call: %+v", res)
				}
				return
			}
			want := "luapf: " + tc.err
			reason := "no space left on device"
			if tc.mount == "ro" {
				reason = "read-only file system"
			}
			if tc.fallback {
				if res.Code != 0 || res.Stdout != "Hello, full!\n" || !isFallbackWarning(res.Stderr) ||
					!strings.Contains(res.Stderr, tc.err) || !strings.Contains(res.Stderr, ": "+reason+"; ") {
					t.Errorf("call: %+v; want the script run without a server, after a warning with %q ... %q", res, tc.err, reason)
				}
				return
			}
			if res.Code != 127 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, want) ||
				!strings.HasSuffix(res.Stderr, ": "+reason+"\n") || strings.Count(res.Stderr, "\n") != 1 {
				t.Errorf("call: %+v; want exit 127 and one line %q ... %q", res, want, reason)
			}
		})
	}
}

// isFallbackWarning reports whether stderr is the one warning line of a
// script run without a server (preforklib/client fallback.go).
func isFallbackWarning(stderr string) bool {
	return strings.HasPrefix(stderr, "luapf: warning: cannot use a server: ") && strings.HasSuffix(stderr, " without a server\n") &&
		strings.Count(stderr, "\n") == 1
}
