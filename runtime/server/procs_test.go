package server_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// Helpers for the reliability and security tests: the sandbox's run
// directory and server files, what a process holds open, and running a
// helper as another user.

// runDir returns the sandbox's run directory (HOME/.luapf/HOST), failing
// the test when there is none.
func (l *luapf) runDir() string {
	l.t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(l.sb.Home, ".luapf", "*"))
	if len(dirs) != 1 {
		l.t.Fatalf("want one run directory under %s, found %v", l.sb.Home, dirs)
	}
	return dirs[0]
}

// serverFile returns the one server file of a kind ("s" socket, "l" lock,
// "g" log) in the run directory.
func (l *luapf) serverFile(kind string) string {
	l.t.Helper()
	files, _ := filepath.Glob(filepath.Join(l.runDir(), kind+"*"))
	if len(files) != 1 {
		l.t.Fatalf("want one %q file in the run directory, found %v", kind, files)
	}
	return files[0]
}

// serverLog returns what the servers of the sandbox have logged so far.
func (l *luapf) serverLog() string {
	l.t.Helper()
	data, err := os.ReadFile(l.serverFile("g"))
	if err != nil {
		l.t.Fatal(err)
	}
	return string(data)
}

// waitLogged waits until the server log says want.
func (l *luapf) waitLogged(want string) {
	l.t.Helper()
	testutil.WaitFor(l.t, "the server log to say "+strconv.Quote(want), func() bool {
		data, _ := os.ReadFile(l.serverFile("g"))
		return strings.Contains(string(data), want)
	})
}

// pooledExecutor returns the one executor waiting in the pool of the
// sandbox's one server, with pool 1 and no call running. Right after a
// call, the call's own executor may still be on its way out (it has
// reported its exit code, and the kernel is tearing it down) and the pool
// refills only once it is reaped: so wait until the server counts none
// busy and one pooled, and one executor process is left.
func (l *luapf) pooledExecutor() int {
	l.t.Helper()
	testutil.WaitFor(l.t, "the pooled executor, alone", func() bool {
		return strings.Contains(l.status(0), " 0 busy, 1 pooled\n") && len(l.executors()) == 1
	})
	return l.onlyPid(l.executors(), "pooled executor")
}

// openFds returns what each descriptor of process pid refers to, as
// /proc/PID/fd shows it.
func openFds(t *testing.T, pid int) map[int]string {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("list the descriptors of %d: %v", pid, err)
	}
	out := map[int]string{}
	for _, de := range des {
		fd, _ := strconv.Atoi(de.Name())
		if target, err := os.Readlink(filepath.Join(dir, de.Name())); err == nil {
			out[fd] = target
		}
	}
	return out
}

// procStatus returns a field of /proc/PID/status ("VmRSS", "State", ...).
func procStatus(pid int, field string) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && name == field {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// zombieChildren returns the zombies whose parent is one of pids: children
// those processes failed to reap. (Orphans that PID 1 of this machine does
// not reap are not ours to count.)
func zombieChildren(pids map[int]string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		fields := strings.Fields(string(rest))
		if len(fields) < 2 || fields[0] != "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		if _, ours := pids[ppid]; ours {
			out = append(out, fmt.Sprintf("zombie %d (%s) of %d (%s)", pid, strings.TrimSpace(string(stat)), ppid, pids[ppid]))
		}
	}
	return out
}

// requireRoot is for tests that must act as another user or mount file
// systems: CI runs as root and must run them; elsewhere they are skipped.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("this test needs root, and CI must run it")
	}
	t.Skip("needs root")
}

// Test helpers: the test binary re-executes itself (TestMain) to play a
// part that luapf itself has no reason to offer.
const (
	envHelper = "LUAPF_WARM_TEST_HELPER"
	// helperDial connects to the socket $LUAPF_TEST_SOCKET and prints
	// "greeting" or "no greeting: ERROR".
	helperDial = "dial"
)

// runHelper runs a helper part, if the environment asks for one.
func runHelper() (int, bool) {
	switch os.Getenv(envHelper) {
	case helperDial:
		return dialHelper(os.Getenv("LUAPF_TEST_SOCKET")), true
	}
	return 0, false
}

// helperCommand returns a command that runs the test binary as helper
// part, through prefix (e.g. setpriv and its options) if any. The binary is
// copied where any user can run it.
func (l *luapf) helperCommand(part string, env []string, prefix ...string) *exec.Cmd {
	l.t.Helper()
	self, err := os.Executable()
	if err != nil {
		l.t.Fatal(err)
	}
	helper := filepath.Join(l.sb.Dir, "helper.test")
	if _, err := os.Stat(helper); err != nil {
		copyFile(l.t, self, helper, 0o755)
	}
	// The sandbox directory is 0700; others may pass through it, not list it.
	if err := os.Chmod(l.sb.Dir, 0o711); err != nil {
		l.t.Fatal(err)
	}
	argv := append(prefix, helper)
	cmd := l.sb.Command(argv[0], argv[1:]...)
	cmd.Env = l.sb.WithEnv(append(env, envHelper+"="+part)...)
	return cmd
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// asNobody is the command prefix that runs a command as user nobody.
var asNobody = []string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}
