package preforklib

import (
	"os"
	"path/filepath"
	"testing"
)

// TestListenUnixMode: a server's listening socket is 0600 whatever the
// umask lets bind make, so that only its owner can connect.
func TestListenUnixMode(t *testing.T) {
	checkNoFdLeak(t)
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
