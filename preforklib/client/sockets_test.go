package client

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// TestListenUnixMode: a server's listening socket is 0600 whatever the
// umask lets bind make, so that only its owner can connect.
func TestListenUnixMode(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	path := filepath.Join(t.TempDir(), "sock")
	l, _, _, err := listenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != SocketMode {
		t.Errorf("listening socket has mode %v, want a socket with %v", fi.Mode(), os.FileMode(SocketMode))
	}
}

// TestClientMark: a connection from dialUnix is marked as a luapf client's,
// one from another client is not.
func TestClientMark(t *testing.T) {
	path := t.TempDir() + "/s"
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ours, err := dialUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	theirs, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	for _, want := range []bool{true, false} {
		c, err := ln.AcceptUnix()
		if err != nil {
			t.Fatal(err)
		}
		if got := preforklib.IsLuapfClient(c.RemoteAddr()); got != want {
			t.Errorf("peer %v: IsLuapfClient = %v, want %v", c.RemoteAddr(), got, want)
		}
		c.Close()
	}
}
