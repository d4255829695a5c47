package server_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
	"luapf/preforklib"
	"luapf/preforklib/rundir"
)

// The security tests: who can reach a server, what its files allow, and
// what a call can see of luapf's own plumbing. SECURITY.md lists them.

// TestServerFilesPrivate: the run directory (and .luapf above it) is 0700,
// the socket 0600, the lock and the log 0600.
func TestServerFilesPrivate(t *testing.T) {
	l := newLuapf(t)
	if res := l.run("", script("hello.lua")); res.Code != 0 {
		t.Fatalf("call: %+v", res)
	}
	runDir := l.runDir()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(runDir), os.ModeDir | 0o700},
		{runDir, os.ModeDir | 0o700},
		{l.serverFile("s"), os.ModeSocket | 0o600},
		{l.serverFile("l"), 0o600},
		{l.serverFile("g"), 0o600},
	} {
		fi, err := os.Lstat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeType | os.ModePerm); got != f.mode {
			t.Errorf("%s has mode %v, want %v", f.path, got, f.mode)
		}
	}
}

// dialHelper connects to the server socket at path and says whether the
// server greeted it.
func dialHelper(path string) int {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Printf("no connection: %v\n", err)
		return 0
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(testutil.HangDeadline))
	if _, err := preforklib.ReadGreeting(conn); err != nil {
		fmt.Printf("no greeting: %v\n", err)
		return 0
	}
	fmt.Println("greeting")
	return 0
}

// TestForeignUserRefused: a process of another user that reaches the
// socket (here because the test loosens every permission on the way) is
// refused by the server's SO_PEERCRED check, which logs it and goes on
// serving its owner. Run as root; the stranger is nobody, through setpriv.
func TestForeignUserRefused(t *testing.T) {
	requireRoot(t)
	l := newLuapf(t)
	path := script("hello.lua")
	if res := l.run("", path, "owner"); res.Stdout != "Hello, owner!\n" {
		t.Fatalf("first call: %+v", res)
	}
	server := l.onlyPid(l.servers(), "server")
	sock := l.serverFile("s")
	for dir := filepath.Dir(sock); dir != filepath.Dir(l.sb.Dir); dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	env := []string{"LUAPF_TEST_SOCKET=" + sock}

	// The same helper as the owner is greeted: it can tell.
	if res := testutil.Run(t, l.helperCommand(helperDial, env), ""); res.Stdout != "greeting\n" {
		t.Fatalf("the owner's helper was not greeted: %+v", res)
	}
	res := testutil.Run(t, l.helperCommand(helperDial, env, asNobody...), "")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "no greeting: ") {
		t.Fatalf("nobody's connection: %+v; want it closed before any greeting", res)
	}
	l.waitLogged("refused a connection: the caller (pid ")
	if log := l.serverLog(); !strings.Contains(log, "runs as uid 65534, and this server serves only uid 0") {
		t.Errorf("the log does not say who was refused:\n%s", log)
	}
	if res := l.run("", path, "again"); res.Code != 0 || res.Stdout != "Hello, again!\n" {
		t.Errorf("the owner's call after the refusal: %+v", res)
	}
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
	// The owner's client made the run directory private again.
	if fi, err := os.Stat(l.runDir()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("run directory mode after the owner's call: %v, %v", fi.Mode(), err)
	}
}

// TestSnapshotSealed: the memfd holding the snapshot cannot be written,
// resized or unsealed through the server's descriptor, and executors map it
// read-only.
func TestSnapshotSealed(t *testing.T) {
	l := newLuapf(t)
	l.run("", script("hello.lua"))
	server := l.onlyPid(l.servers(), "server")
	var image string
	for fd, target := range openFds(t, server) {
		if strings.HasPrefix(target, "/memfd:luapf-image") {
			image = fmt.Sprintf("/proc/%d/fd/%d", server, fd)
		}
	}
	if image == "" {
		t.Fatalf("the server holds no snapshot memfd: %v", openFds(t, server))
	}
	f, err := os.OpenFile(image, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open the server's memfd: %v", err)
	}
	defer f.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if want := unix.F_SEAL_WRITE | unix.F_SEAL_GROW | unix.F_SEAL_SHRINK | unix.F_SEAL_SEAL; err != nil || seals&want != want {
		t.Errorf("seals %#x (%v), want all of %#x", seals, err, want)
	}
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Error("wrote into the snapshot")
	}
	if err := f.Truncate(0); err == nil {
		t.Error("truncated the snapshot")
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_FUTURE_WRITE); err == nil {
		t.Error("changed the seals")
	}
	if m, err := unix.Mmap(int(f.Fd()), 0, 1, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err == nil {
		unix.Munmap(m)
		t.Error("mapped the snapshot writable")
	}
	// A pooled executor maps the snapshot as it starts restoring.
	executor := l.pooledExecutor()
	var mappings []string
	testutil.WaitFor(t, "the pooled executor to map the snapshot", func() bool {
		maps, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", executor))
		mappings = nil
		for _, line := range strings.Split(string(maps), "\n") {
			if strings.Contains(line, "/memfd:luapf-image") {
				mappings = append(mappings, line)
			}
		}
		return len(mappings) > 0
	})
	for _, line := range mappings {
		if perms := strings.Fields(line)[1]; perms != "r--s" {
			t.Errorf("the executor maps the snapshot %s: %s", perms, line)
		}
	}
}

// TestPreforkInterpHidden: PREFORK_INTERP, which hands descriptors to a
// new server, reaches neither a script nor its children nor any of luapf's
// long-lived processes, on the spawning call, on warm calls, and when a
// client sends it in the call's environment (chiark's C client passes on
// whatever it has).
func TestPreforkInterpHidden(t *testing.T) {
	testutil.RequirePeer(t, testutil.CClient)
	l := newLuapf(t)
	path := script("test/environ.lua")
	want := "lua PREFORK_INTERP=(unset)\nchild PREFORK_INTERP=(unset)\n"
	for _, call := range []string{"spawning", "warm"} {
		if res := l.run("", path, "PREFORK_INTERP"); res.Code != 0 || res.Stdout != want {
			t.Errorf("%s call: %+v", call, res)
		}
	}
	ident := cClientIdent(t)
	for _, call := range []string{"C client spawning", "C client warm"} {
		cmd := l.sb.Command(cClient, "-g", ident, "-U", l.bin, path, "PREFORK_INTERP")
		cmd.Env = l.sb.WithEnv("PREFORK_INTERP=v1,1.000000000 3,4,5,6")
		if res := testutil.Run(t, cmd, ""); res.Code != 0 || res.Stdout != want {
			t.Errorf("%s: %+v", call, res)
		}
	}
	for pid, cmd := range l.sb.ProcessesMatching("luapf [") {
		environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err == nil && strings.Contains("\x00"+string(environ), "\x00"+preforklib.EnvPreforkInterp+"=") {
			t.Errorf("%d (%s) has PREFORK_INTERP in its environment", pid, cmd)
		}
	}
}

// TestUnsafeRuntimeDirRefused: a runtime directory candidate that is
// group- or other-writable, or another user's, is refused with a warning
// and the HOME fallback is used (the same check as for /run/user/UID; see
// preforklib's TestRunDirChoice).
func TestUnsafeRuntimeDirRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		owner   int // -1 for the test's own user
		warning string
	}{
		{"group-writable", 0o770, -1, "is accessible by group or others"},
		{"other-writable", 0o703, -1, "is accessible by group or others"},
		{"another user's", 0o700, 65534, "is not owned by uid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.owner >= 0 {
				requireRoot(t)
			}
			l := newLuapf(t)
			xdg := filepath.Join(l.sb.Dir, "runtime")
			mkdirAll(t, xdg)
			if err := os.Chmod(xdg, tc.mode); err != nil {
				t.Fatal(err)
			}
			if tc.owner >= 0 {
				if err := os.Chown(xdg, tc.owner, tc.owner); err != nil {
					t.Fatal(err)
				}
			}
			cmd := l.command(script("hello.lua"))
			cmd.Env = l.sb.WithEnv("XDG_RUNTIME_DIR=" + xdg)
			res := testutil.Run(t, cmd, "")
			warning := "luapf: warning: XDG_RUNTIME_DIR=" + xdg + " " + tc.warning
			if res.Code != 0 || res.Stdout != "Hello, world!\n" || !strings.HasPrefix(res.Stderr, warning) {
				t.Errorf("call: %+v; want it served with the warning %q", res, warning)
			}
			if entries, _ := os.ReadDir(xdg); len(entries) != 0 {
				t.Errorf("luapf used the unsafe directory: %v", entries)
			}
			l.serverFile("s") // under HOME
		})
	}
}

// descriptors sorts what process pid holds open by kind: "null", "log"
// (the file at logPath), "image" (the snapshot memfd), "socket", "pipe",
// "pidfd", "inotify", "runtime" (the Go runtime's own epoll, eventfd and
// cgroup files), or the target itself when it is none of these. Each kind
// lists its targets ("pipe:[INODE]", ...).
func descriptors(t *testing.T, pid int, logPath string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, target := range openFds(t, pid) {
		kind := target
		switch {
		case target == os.DevNull:
			kind = "null"
		case target == logPath:
			kind = "log"
		case strings.HasPrefix(target, "/memfd:luapf-image"):
			kind = "image"
		case strings.HasPrefix(target, "socket:"), strings.HasPrefix(target, "pipe:"):
			kind, _, _ = strings.Cut(target, ":")
		case target == "anon_inode:[pidfd]":
			kind = "pidfd"
		case target == "anon_inode:inotify":
			kind = "inotify"
		case target == "anon_inode:[eventpoll]", target == "anon_inode:[eventfd]", strings.HasPrefix(target, "/sys/fs/cgroup/"):
			kind = "runtime"
		}
		out[kind] = append(out[kind], target)
	}
	return out
}

// settledDescriptors waits until process pid holds exactly want of each
// kind of descriptor, besides any number of the runtime's own, and returns
// them; it fails the test if that never happens. (A server that has just
// answered a call may still be reaping its executor.)
func settledDescriptors(t *testing.T, who string, pid int, logPath string, want map[string]int) map[string][]string {
	t.Helper()
	deadline := time.Now().Add(testutil.HangDeadline)
	for {
		held := descriptors(t, pid, logPath)
		wrong := ""
		for kind, targets := range held {
			if kind != "runtime" && len(targets) != want[kind] {
				wrong = fmt.Sprintf("%d of kind %q (%v), want %d", len(targets), kind, targets, want[kind])
			}
		}
		for kind, n := range want {
			if len(held[kind]) != n {
				wrong = fmt.Sprintf("%d of kind %q, want %d", len(held[kind]), kind, n)
			}
		}
		if wrong == "" {
			return held
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %s; all: %v", who, wrong, held)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// contains reports whether list has s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listenerTarget returns the /proc/PID/fd target of the socket bound at
// path, from /proc/net/unix.
func listenerTarget(t *testing.T, path string) string {
	t.Helper()
	table, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(table), "\n") {
		if f := strings.Fields(line); len(f) == 8 && f[7] == path {
			return "socket:[" + f[6] + "]"
		}
	}
	t.Fatalf("no socket bound at %s in /proc/net/unix", path)
	return ""
}

// pipeTarget returns the /proc/PID/fd target of pipe end f.
func pipeTarget(t *testing.T, f *os.File) string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("pipe:[%d]", st.Ino)
}

// TestNoStrayDescriptors: the server, a pooled executor, an executor in a
// call and the watcher hold exactly the descriptors they need, tied to one
// another where they are two ends of one thing; none keeps the lock or a
// descriptor its client inherited from the caller.
func TestNoStrayDescriptors(t *testing.T) {
	l := newLuapf(t)
	// The caller hands the client a descriptor besides 0-2, as a shell or
	// make may: no luapf process may keep it.
	inheritedR, inheritedW := testutil.Pipe(t)
	cmd := l.command(script("test/readstdin.lua"))
	cmd.ExtraFiles = []*os.File{inheritedW}
	if res := testutil.Run(t, cmd, "x"); res.Code != 0 {
		t.Fatalf("first call: %+v", res)
	}
	inheritedW.Close()
	testutil.WaitWriteEndsClosed(t, inheritedR, "the client's inherited fd 3")
	if lock, held, err := rundir.TryLock(l.serverFile("l")); err != nil || held {
		t.Errorf("the server's lock is held after the call (%v): a process inherited it", err)
	} else {
		lock.Release()
	}

	logPath := l.serverFile("g")
	server := l.onlyPid(l.servers(), "server")
	watcher := l.onlyPid(l.sb.ProcessesMatching("luapf [watcher]"), "watcher")
	// Idle, with no pool (readstdin.lua asks for none): fds 0 and 1, the
	// log as fd 2 and as itself, the snapshot, the listening socket, the
	// watcher's two pipes.
	srv := settledDescriptors(t, "the idle server", server, logPath, map[string]int{"null": 2, "log": 2, "image": 1, "socket": 1, "pipe": 2})
	if want := listenerTarget(t, l.serverFile("s")); !contains(srv["socket"], want) {
		t.Errorf("the server's socket %v is not the listening socket %s", srv["socket"], want)
	}
	wat := settledDescriptors(t, "the watcher", watcher, logPath, map[string]int{"pipe": 3, "inotify": 1})
	for _, p := range wat["pipe"] {
		if !contains(srv["pipe"], p) {
			t.Errorf("the watcher's %s is not one of the server's pipes %v", p, srv["pipe"])
		}
	}

	// During a call: the executor has the caller's three files as 0-2,
	// its control socket, the call's connection (it sends the client the
	// status) and its crash pipe; the server has the call's socket and,
	// of the caller's files, only stderr.
	stdinR, stdinW := testutil.Pipe(t)
	stdoutR, stdoutW := testutil.Pipe(t)
	_, stderrW := testutil.Pipe(t)
	call := l.command(script("test/readstdin.lua"))
	call.Stdin, call.Stdout, call.Stderr = stdinR, stdoutW, stderrW
	if err := call.Start(); err != nil {
		t.Fatal(err)
	}
	defer call.Process.Kill()
	if line, _ := readLine(stdoutR); line != "waiting" {
		t.Fatalf("script said %q", line)
	}
	executor := l.onlyPid(l.callExecutors(), "executor of the call")
	exe := settledDescriptors(t, "the executor in a call", executor, logPath, map[string]int{"socket": 2, "pipe": 4})
	callerFiles := []string{pipeTarget(t, stdinR), pipeTarget(t, stdoutW), pipeTarget(t, stderrW)}
	for fd, want := range callerFiles {
		if got := openFds(t, executor)[fd]; got != want {
			t.Errorf("the executor's fd %d is %s, want the caller's %s", fd, got, want)
		}
	}
	busy := settledDescriptors(t, "the server in a call", server, logPath, map[string]int{"null": 2, "log": 2, "image": 1, "socket": 3, "pipe": 4, "pidfd": 1})
	for _, p := range exe["pipe"] {
		if p != callerFiles[0] && p != callerFiles[1] && p != callerFiles[2] && !contains(busy["pipe"], p) {
			t.Errorf("the executor's crash pipe %s is not the server's: %v", p, busy["pipe"])
		}
	}
	for _, p := range callerFiles[:2] {
		if contains(busy["pipe"], p) {
			t.Errorf("the server holds the caller's %s", p)
		}
	}
	shared := 0
	for _, sock := range exe["socket"] {
		if contains(busy["socket"], sock) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("the executor's sockets %v share %d with the server's %v, want 1: the call's connection", exe["socket"], shared, busy["socket"])
	}
	stdinW.Close()
	if err := call.Wait(); err != nil {
		t.Errorf("the call: %v", err)
	}

	// A pooled executor, waiting for a call: fds 0 and 1, the log as fd
	// 2, its control socket, the listening socket the server lent it
	// (runtime/server/lend.go) and its crash pipe (the snapshot is mapped,
	// its descriptor closed).
	pooled := newLuapf(t)
	pooled.run("", script("hello.lua"))
	executor = pooled.pooledExecutor()
	held := settledDescriptors(t, "a pooled executor", executor, pooled.serverFile("g"), map[string]int{"null": 2, "log": 1, "socket": 2, "pipe": 1})
	if want := listenerTarget(t, pooled.serverFile("s")); !contains(held["socket"], want) {
		t.Errorf("the pooled executor's sockets %v are not its control socket and the listening socket %s", held["socket"], want)
	}
}
