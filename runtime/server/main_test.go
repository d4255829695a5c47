package server_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

func TestMain(m *testing.M) {
	// Re-executed as a helper by a test (procs_test.go).
	if status, ok := runHelper(); ok {
		os.Exit(status)
	}
	os.Exit(testutil.Main(m))
}

// luapf runs the real luapf binary in a test's own sandbox.
type luapf struct {
	t   *testing.T
	sb  *testutil.Sandbox
	bin string
}

func newLuapf(t *testing.T) *luapf {
	t.Helper()
	return &luapf{t: t, sb: testutil.NewSandbox(t), bin: testutil.Binary(t)}
}

// command returns an unstarted luapf command with args.
func (l *luapf) command(args ...string) *exec.Cmd {
	return l.sb.Command(l.bin, args...)
}

// run runs luapf with args and stdin to the end (failing on a hang or on
// stdout/stderr left open by a process it started).
func (l *luapf) run(stdin string, args ...string) testutil.Result {
	l.t.Helper()
	return testutil.Run(l.t, l.command(args...), stdin)
}

// script returns the absolute path of a file under scripts/.
func script(name string) string { return testutil.ScriptPath(name) }

// copyScripts copies files from scripts/ into a fresh directory of the
// test's own (so the test may edit them) and returns that directory.
func copyScripts(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		data, err := os.ReadFile(script(name))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(name))
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// servers returns the sandbox's server processes.
func (l *luapf) servers() map[int]string { return l.sb.ProcessesMatching("luapf [server]") }

// executors returns the sandbox's executor processes.
func (l *luapf) executors() map[int]string { return l.sb.ProcessesMatching("luapf [executor]") }

// onlyPid returns the one pid in procs, failing the test otherwise.
func (l *luapf) onlyPid(procs map[int]string, what string) int {
	l.t.Helper()
	if len(procs) != 1 {
		l.t.Fatalf("want exactly one %s, found:\n%s\nserver logs:\n%s", what, strings.Join(describeProcs(procs), "\n"), l.serverLogs())
	}
	for pid := range procs {
		return pid
	}
	return 0
}

// serverLogs returns the contents of the sandbox's server log files, for
// failure messages.
func (l *luapf) serverLogs() string {
	logs, _ := filepath.Glob(filepath.Join(l.sb.Home, ".luapf", "*", "g*.log"))
	var b strings.Builder
	for _, path := range logs {
		data, _ := os.ReadFile(path)
		fmt.Fprintf(&b, "== %s\n%s", filepath.Base(path), data)
	}
	return b.String()
}

// sameResult reports how two runs differ, or "" when they agree.
func sameResult(want, got testutil.Result) string { return want.Diff(got) }
