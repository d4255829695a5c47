package testutil

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Sandbox isolates one test's luapf state. Its HOME is a fresh directory, so
// the run directory, sockets, locks and logs of every server the test starts
// live there, and every process started with the sandbox's environment (the
// client, watcher, setup, server and executors all inherit it) carries the
// marker HOME=... in /proc/PID/environ. Cleanup SIGKILLs those processes
// (servers are expected to be running when a test ends) and fails the test if
// any of them survives.
type Sandbox struct {
	t    testing.TB
	Dir  string   // scratch directory owned by the test
	Home string   // the HOME every sandboxed process sees
	Env  []string // environment for commands run in the sandbox
}

// NewSandbox makes a sandbox and registers its cleanup with t.
func NewSandbox(t testing.TB) *Sandbox {
	t.Helper()
	// Not t.TempDir(): its path carries the test's name, and a long one
	// leaves too little of the 108 bytes of a socket path for the server
	// ident (at least 33 characters, as in the C client).
	dir, err := os.MkdirTemp("", "luapf-sb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home}
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "HOME", "XDG_RUNTIME_DIR", "PREFORK_INTERP":
			continue
		}
		env = append(env, kv)
	}
	// Where /run/user/UID exists luapf would put its run directory there
	// instead of under HOME; point XDG_RUNTIME_DIR into the sandbox so the
	// test stays isolated on such machines too.
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d", os.Getuid())); err == nil {
		xdg := filepath.Join(dir, "xdg")
		if err := os.Mkdir(xdg, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, "XDG_RUNTIME_DIR="+xdg)
	}
	s := &Sandbox{t: t, Dir: dir, Home: home, Env: env}
	t.Cleanup(s.killAll)
	return s
}

// Command returns a command run with the sandbox's environment and with the
// sandbox directory as its working directory.
func (s *Sandbox) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string(nil), s.Env...)
	cmd.Dir = s.Dir
	return cmd
}

// WithEnv returns the sandbox environment with extra NAME=value entries
// replacing any of the same name.
func (s *Sandbox) WithEnv(extra ...string) []string {
	out := make([]string, 0, len(s.Env)+len(extra))
	replaced := map[string]bool{}
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		replaced[name] = true
	}
	for _, kv := range s.Env {
		name, _, _ := strings.Cut(kv, "=")
		if !replaced[name] {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// Processes returns the pids of live processes started in this sandbox,
// excluding zombies, with their command lines. A process belongs to the
// sandbox if its environment has the sandbox's HOME or its working
// directory is inside the sandbox directory: a Perl server that sets $0
// overwrites the memory /proc/PID/environ shows, but keeps the working
// directory of the client that started it.
func (s *Sandbox) Processes() map[int]string {
	marker := []byte("HOME=" + s.Home + "\x00")
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			continue
		}
		if !bytes.Contains(append([]byte{0}, environ...), append([]byte{0}, marker...)) && !s.isInside(pid) {
			continue
		}
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && isZombie(stat) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		out[pid] = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}

// isInside reports whether the working directory of process pid is the
// sandbox directory or below it.
func (s *Sandbox) isInside(pid int) bool {
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	return err == nil && (cwd == s.Dir || strings.HasPrefix(cwd, s.Dir+"/"))
}

// isZombie reports whether a /proc/PID/stat line is of a zombie or dead task.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	state := stat[i+2]
	return state == 'Z' || state == 'X'
}

// ProcessesMatching returns the sandbox's processes whose command line
// contains substr. A child forked by one of them that has not exec'd yet
// shows its parent's command line; it is not counted as another one.
func (s *Sandbox) ProcessesMatching(substr string) map[int]string {
	procs := s.Processes()
	out := map[int]string{}
	for pid, cmd := range procs {
		if !strings.Contains(cmd, substr) {
			continue
		}
		if parent, ok := procs[ParentPid(pid)]; ok && parent == cmd {
			continue // forked, not yet exec'd
		}
		out[pid] = cmd
	}
	return out
}

// ParentPid reads a process's parent pid from /proc, or 0.
func ParentPid(pid int) int {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(stat, ')')
	fields := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// WaitNoProcesses waits up to timeout until no process matching substr is
// left in the sandbox and reports whether that happened.
func (s *Sandbox) WaitNoProcesses(substr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if len(s.ProcessesMatching(substr)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killAll SIGKILLs every process left in the sandbox and waits until they
// are gone, so that nothing outlives the test.
func (s *Sandbox) killAll() {
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs := s.Processes()
		if len(procs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Errorf("processes of sandbox %s survive SIGKILL: %v", s.Home, procs)
			return
		}
		for pid := range procs {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
