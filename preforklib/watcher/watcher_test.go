package watcher

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib"
	"luapf/preforklib/reexec"
)

// runningWatcher is a watcher started by a test as a client would start it.
type runningWatcher struct {
	cmd    *exec.Cmd
	stdin  *os.File // the server's WATCHI
	stderr *os.File // the server's WATCHE
	done   chan error
}

func startTestWatcher(t *testing.T, sb *testutil.Sandbox, args ...string) *runningWatcher {
	t.Helper()
	inR, inW := testutil.Pipe(t)
	errR, errW := testutil.Pipe(t)
	cmd := sb.Command(testutil.Binary(t), args...)
	cmd.Args[0] = reexec.RoleArgv0(reexec.RoleWatcher)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, errW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	errW.Close()
	w := &runningWatcher{cmd: cmd, stdin: inW, stderr: errR, done: make(chan error, 1)}
	go func() { w.done <- cmd.Wait() }()
	return w
}

// listen binds a listening socket at path, as a client does for a new
// server, and returns it with its identity.
func listen(path string) (*net.UnixListener, SocketID, error) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, SocketID{}, err
	}
	l.SetUnlinkOnClose(false) // the path may name another socket by then
	fi, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return nil, SocketID{}, err
	}
	return l, SocketIDOf(fi), nil
}

// expectExit waits for the watcher to exit and checks its status and what
// it wrote to the server.
func (w *runningWatcher) expectExit(t *testing.T, code int, message string) {
	t.Helper()
	out, err := io.ReadAll(w.stderr) // end of file: the server would quit now
	if err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the watcher exits", func() bool {
		select {
		case <-w.done:
			return true
		default:
			return false
		}
	})
	if got := w.cmd.ProcessState.ExitCode(); got != code {
		t.Errorf("watcher exit code %d, want %d; it wrote %q", got, code, out)
	}
	if message == "" && len(out) > 0 || !strings.Contains(string(out), message) {
		t.Errorf("watcher wrote %q, want %q", out, message)
	}
}

// TestWatcher starts the real watcher role on a real socket and checks
// each reason it has to quit.
func TestWatcher(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, w *runningWatcher, path string)
		stale  bool // the socket changes before the watcher starts
	}{
		{"socket removed", func(t *testing.T, w *runningWatcher, path string) { os.Remove(path) }, false},
		{"socket replaced", func(t *testing.T, w *runningWatcher, path string) {
			os.Remove(path)
			l, _, err := listen(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
		}, false},
		{"socket renamed over", func(t *testing.T, w *runningWatcher, path string) {
			other := filepath.Join(filepath.Dir(path), "other")
			l, _, err := listen(other)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"server gone", func(t *testing.T, w *runningWatcher, path string) { w.stdin.Close() }, false},
		{"sentinel readable", func(t *testing.T, w *runningWatcher, path string) { w.stdin.WriteString("x") }, false},
		{"changed before start", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := testutil.NewSandbox(t)
			path := filepath.Join(sb.Dir, "sock")
			l, id, err := listen(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if tt.stale {
				id.Ino++
			}
			w := startTestWatcher(t, sb, commandArgs(path, id)...)
			if tt.change != nil {
				// Unrelated activity in the directory first: the watcher
				// must not take it for a change of its socket.
				os.WriteFile(filepath.Join(sb.Dir, "lsock"), nil, 0o600)
				tt.change(t, w, path)
			}
			w.expectExit(t, 0, "")
		})
	}
}

func TestWatcherRefusesHandStart(t *testing.T) {
	sb := testutil.NewSandbox(t)
	for _, args := range [][]string{nil, {"relative", "1", "2"}, {"/x", "dev", "2"}} {
		w := startTestWatcher(t, sb, args...)
		w.expectExit(t, preforklib.ExitLuapfError, "not meant to be run by hand")
	}
}

// TestWatcherReportsErrors checks that a watcher that cannot watch tells
// the server why (the server logs it and quits).
func TestWatcherReportsErrors(t *testing.T) {
	sb := testutil.NewSandbox(t)
	w := startTestWatcher(t, sb, filepath.Join(sb.Dir, "no-such-dir", "sock"), "1", "2")
	w.expectExit(t, preforklib.ExitLuapfError, "luapf: watcher for "+filepath.Join(sb.Dir, "no-such-dir", "sock")+": watch ")
}
