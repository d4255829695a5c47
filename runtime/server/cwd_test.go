package server_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"luapf/internal/testutil"
)

// cwdCall is a call of test/cwd.lua: made from dir, it writes label.
type cwdCall struct {
	dir, label string
}

// TestCallsRunInCallersDirectory: calls of one server (-g names it, so
// calls from other directories share it) run each in its caller's working
// directory, as a cold run would: each writes into its own directory.
func TestCallsRunInCallersDirectory(t *testing.T) {
	l := newLuapf(t)
	path := script("test/cwd.lua")
	d1, d2 := filepath.Join(l.sb.Dir, "d1"), filepath.Join(l.sb.Dir, "d2")
	mkdirAll(t, d1)
	mkdirAll(t, d2)
	for _, c := range []cwdCall{{d1, "spawning call in d1"}, {d2, "call in d2"}, {d1, "call in d1"}, {d2, "call in d2 again"}} {
		cmd := l.command("-g", "shared", path, "out.txt", c.label)
		cmd.Dir = c.dir
		if res := testutil.Run(t, cmd, ""); res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
			t.Fatalf("%s: %+v", c.label, res)
		}
		expectFile(t, filepath.Join(c.dir, "out.txt"), c.label+"\n")
	}
	server := l.onlyPid(l.servers(), "server")
	if cwd, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(server), "cwd")); cwd != d1 {
		t.Errorf("the server runs in %q, want %q, where its first call was made", cwd, d1)
	}
}

// TestCClientCallsRunInServersDirectory: chiark's C client cannot send its
// working directory, so its calls run in the server's, as in protocol v1.
func TestCClientCallsRunInServersDirectory(t *testing.T) {
	testutil.RequirePeer(t, testutil.CClient)
	l := newLuapf(t)
	path := script("test/cwd.lua")
	d1, d2 := filepath.Join(l.sb.Dir, "d1"), filepath.Join(l.sb.Dir, "d2")
	mkdirAll(t, d1)
	mkdirAll(t, d2)
	ident := cClientIdent(t)
	for _, c := range []cwdCall{{d1, "spawning call in d1"}, {d2, "call in d2"}} {
		cmd := l.sb.Command(cClient, "-g", ident, "-U", l.bin, path, "out.txt", c.label)
		cmd.Dir = c.dir
		if res := testutil.Run(t, cmd, ""); res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
			t.Fatalf("%s: %+v", c.label, res)
		}
		expectFile(t, filepath.Join(d1, "out.txt"), c.label+"\n")
	}
	if _, err := os.Stat(filepath.Join(d2, "out.txt")); !os.IsNotExist(err) {
		t.Errorf("a C client's call wrote into its own directory d2: %v", err)
	}
}

// expectFile fails the test unless the file at path holds want.
func expectFile(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || string(data) != want {
		t.Errorf("%s holds %q, %v; want %q", path, data, err, want)
	}
}
