package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib/rundir"
)

// serverEntries returns the names of the sockets and lock files in the
// sandbox's run directory.
func (l *luapf) serverEntries() []string {
	l.t.Helper()
	entries, err := os.ReadDir(l.makeRunDir())
	if err != nil {
		l.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); n[0] == 's' || n[0] == 'l' {
			names = append(names, n)
		}
	}
	return names
}

// killServer SIGKILLs the server pid and waits until it is gone: its
// socket stays, stale.
func killServer(t *testing.T, pid int) {
	t.Helper()
	syscall.Kill(pid, syscall.SIGKILL)
	testutil.WaitFor(t, "the killed server to go", func() bool { return procState(pid) == 0 || procState(pid) == 'Z' })
}

// TestKillWithoutServer: --kill with no server for the script exits 1 and
// says so, as --status does; a stale socket it finds goes.
func TestKillWithoutServer(t *testing.T) {
	l := newLuapf(t)
	path := script("hello.lua")
	noServer := regexp.MustCompile(`^luapf: no server for ` + regexp.QuoteMeta(path) + ` \(socket .*/s[0-9a-f]+\): nobody listens\n$`)
	if res := l.run("", "--kill", path); res.Code != 1 || res.Stdout != "" || !noServer.MatchString(res.Stderr) {
		t.Errorf("--kill with no server: %+v", res)
	}
	l.run("", path)
	killServer(t, l.onlyPid(l.servers(), "server"))
	if res := l.run("", "--kill", path); res.Code != 1 || res.Stdout != "" || !noServer.MatchString(res.Stderr) {
		t.Errorf("--kill with a stale socket: %+v", res)
	}
	if entries := l.serverEntries(); len(entries) > 0 {
		t.Errorf("--kill left %v", entries)
	}
	l.run("", path)
	if res := l.run("", "--kill", path); res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Errorf("--kill with a server: %+v", res)
	}
}

// TestKillAll: --kill --all stops every server in the run directory,
// whatever started it, and removes every socket and lock file; with none
// left it exits 1 and says so.
func TestKillAll(t *testing.T) {
	l := newLuapf(t)
	l.run("", script("hello.lua"))
	l.run("", script("test/copy.lua"))
	l.run("", "-g", "named", script("hello.lua"))
	l.run("", "-E", "SOMEVAR", script("hello.lua"))
	if n := len(l.servers()); n != 4 {
		t.Fatalf("%d servers started, want 4", n)
	}
	// A client holds the lock of the -g named server, as while starting
	// it: --kill --all stops the others first, then waits for that lock.
	held, err := rundir.AcquireLock(filepath.Join(l.makeRunDir(), "lnamed"))
	if err != nil {
		t.Fatal(err)
	}
	kill := l.command("--kill", "--all")
	var stdout, stderr strings.Builder
	kill.Stdout, kill.Stderr = &stdout, &stderr
	if err := kill.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- kill.Wait() }()
	testutil.WaitFor(t, "--kill --all to stop every server whose lock is free", func() bool {
		return strings.Join(l.serverEntries(), " ") == "lnamed snamed"
	})
	select {
	case err := <-done:
		t.Fatalf("--kill --all ended while a client held a server's lock: %v, %q", err, stderr.String())
	default:
	}
	held.Release()
	select {
	case err := <-done:
		if err != nil || stdout.Len() > 0 || stderr.Len() > 0 {
			t.Fatalf("--kill --all: %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
		}
	case <-time.After(testutil.HangDeadline):
		t.Fatalf("--kill --all still waits %v after the lock was released", testutil.HangDeadline)
	}
	if !l.sb.WaitNoProcesses("luapf [", testutil.HangDeadline) {
		t.Fatalf("processes remain after --kill --all: %v", l.sb.Processes())
	}
	if entries := l.serverEntries(); len(entries) > 0 {
		t.Errorf("--kill --all left %v", entries)
	}
	want := "luapf: no server to stop in " + l.makeRunDir() + "\n"
	if res := l.run("", "--kill", "--all"); res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("--kill --all with no server: %+v, want exit 1 and %q", res, want)
	}
	if res := l.run("", script("hello.lua"), "again"); res.Code != 0 || res.Stdout != "Hello, again!\n" {
		t.Errorf("a call after --kill --all: %+v", res)
	}
}

// TestStatusRemovesStale: --status with no script removes a socket nobody
// listens on whose lock is free, and says so; one whose lock a client
// holds (it is starting a server) stays; a lock file left without a socket
// goes quietly unless it is held.
func TestStatusRemovesStale(t *testing.T) {
	l := newLuapf(t)
	hello, copyLua := script("hello.lua"), script("test/copy.lua")
	l.run("", hello)
	l.run("", copyLua)
	l.run("", "-g", "starting", hello)
	copyPid, _ := statusFieldsOf(l, copyLua)
	killServer(t, copyPid)
	// The -g starting server: killed, and its lock held, as by a client
	// starting a server there.
	startingPid, _ := statusFieldsOf(l, "-g", "starting", hello)
	killServer(t, startingPid)
	runDir := l.makeRunDir()
	startingSock := filepath.Join(runDir, "sstarting")
	held, err := rundir.AcquireLock(filepath.Join(runDir, "lstarting"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	for _, name := range []string{"lorphan", "lheldorphan"} {
		writeFile(t, filepath.Join(runDir, name), "")
	}
	heldOrphan, err := rundir.AcquireLock(filepath.Join(runDir, "lheldorphan"))
	if err != nil {
		t.Fatal(err)
	}
	defer heldOrphan.Release()

	res := l.run("", "--status")
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("--status: %+v", res)
	}
	removed := regexp.MustCompile(`(?m)^removed stale socket (.*): nobody listened, and no client held its lock$`).FindAllStringSubmatch(res.Stdout, -1)
	if len(removed) != 1 || strings.HasSuffix(removed[0][1], "/sstarting") {
		t.Errorf("--status removed %v, want copy.lua's socket only:\n%s", removed, res.Stdout)
	}
	if !strings.Contains(res.Stdout, "server for "+hello+"\n") || !strings.Contains(res.Stdout, "no server for socket "+startingSock+": nobody listens\n") {
		t.Errorf("--status output:\n%s", res.Stdout)
	}
	entries := strings.Join(l.serverEntries(), " ")
	for _, gone := range []string{"lorphan"} {
		if strings.Contains(" "+entries+" ", " "+gone+" ") {
			t.Errorf("%s survived --status: %s", gone, entries)
		}
	}
	for _, kept := range []string{"sstarting", "lstarting", "lheldorphan"} {
		if !strings.Contains(" "+entries+" ", " "+kept+" ") {
			t.Errorf("--status removed %s, whose lock is held: %s", kept, entries)
		}
	}
	if n := strings.Count(entries, " ") + 1; n != 5 { // hello's socket and lock, and the three kept
		t.Errorf("run directory after --status: %s", entries)
	}
	if res := l.run("", "--status"); strings.Contains(res.Stdout, "removed") {
		t.Errorf("a second --status removed more:\n%s", res.Stdout)
	}
}

// statusFieldsOf returns the pid --status reports for a server, and its
// fields.
func statusFieldsOf(l *luapf, args ...string) (int, map[string]string) {
	l.t.Helper()
	_, fields := statusFields(l.t, l.status(0, args...))
	pid, err := strconv.Atoi(fields["pid"])
	if err != nil {
		l.t.Fatalf("--status pid %q", fields["pid"])
	}
	return pid, fields
}
