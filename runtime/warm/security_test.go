package warm_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib"
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
	server := onlyPid(t, l.servers(), "server")
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
	if now := onlyPid(t, l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
	// The owner's client made the run directory private again.
	if fi, err := os.Stat(l.runDir()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("run directory mode after the owner's call: %v, %v", fi.Mode(), err)
	}
}
