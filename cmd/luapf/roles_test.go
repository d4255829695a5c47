package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib"
	"luapf/preforklib/reexec"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// TestRolesStartedByHand starts each hidden role the way nobody but luapf
// should: without its descriptors, with the wrong kinds of file on them,
// or with an argv[0] naming no role. Each must say what it expected and
// that luapf starts it, and exit 127: no panic, no hang, nothing left
// running.
func TestRolesStartedByHand(t *testing.T) {
	sb := testutil.NewSandbox(t)
	bin := testutil.Binary(t)
	devNull := func() *os.File {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	// fileOf returns a listening socket's descriptor as a file.
	fileOf := func(l interface {
		File() (*os.File, error)
		Close() error
	}, err error) *os.File {
		if err != nil {
			t.Fatal(err)
		}
		f, err := l.File()
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	listener := func() *os.File {
		return fileOf(net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(t.TempDir(), "s"), Net: "unix"}))
	}
	tcpListener := func() *os.File {
		return fileOf(net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}))
	}
	nulls := func(n int) []*os.File {
		files := make([]*os.File, n)
		for i := range files {
			files[i] = devNull()
		}
		return files
	}
	tests := []struct {
		name  string
		role  string
		args  []string
		extra []*os.File
		want  string // in stderr, after "luapf: "
	}{
		{"server without descriptors", reexec.RoleServer, []string{"x.lua"}, nil,
			"the server role expects its listening socket on fd 3, which it did not inherit: it is started by setup, not by hand"},
		{"server with files for sockets", reexec.RoleServer, []string{"x.lua"}, nulls(6),
			"the server role expects a listening Unix stream socket as its listening socket (fd 3), not a file that is no socket"},
		{"server with a TCP socket", reexec.RoleServer, []string{"x.lua"}, append([]*os.File{tcpListener()}, nulls(5)...),
			"the server role expects a listening Unix stream socket as its listening socket (fd 3), and it is not one"},
		{"server with a listener for its call", reexec.RoleServer, []string{"x.lua"}, append([]*os.File{listener(), listener()}, nulls(4)...),
			"the server role expects a connected Unix stream socket as its initial call socket (fd 4), and it is not one"},
		{"executor without descriptors", reexec.RoleExecutor, []string{"x.lua"}, nil,
			"the executor role expects its snapshot image on fd 3, which it did not inherit: it is started by its server, not by hand"},
		{"executor with a file for its socket", reexec.RoleExecutor, []string{"x.lua"}, nulls(3),
			"the executor role expects a connected Unix stream socket as its executor control socket (fd 4), not a file that is no socket"},
		{"executor with a listener for its socket", reexec.RoleExecutor, []string{"x.lua"}, []*os.File{devNull(), listener(), devNull()},
			"the executor role expects a connected Unix stream socket as its executor control socket (fd 4), and it is not one"},
		{"watcher without arguments", reexec.RoleWatcher, nil, nil, "it is not meant to be run by hand"},
		{"nofile probe", reexec.RoleNofileProbe, nil, nil, "it is not meant to be run by hand"},
		{"unknown role", "bogus", nil, nil, "unknown internal role 'bogus' in argv[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := sb.Command(bin, tt.args...)
			cmd.Args[0] = reexec.RoleArgv0(tt.role)
			cmd.ExtraFiles = tt.extra
			res := testutil.Run(t, cmd, "")
			if res.Code != preforklib.ExitLuapfError || !strings.HasPrefix(res.Stderr, "luapf: ") || !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and a message with %q", res.Code, res.Stderr, preforklib.ExitLuapfError, tt.want)
			}
			if strings.Contains(res.Stderr, "panic") || strings.Contains(res.Stderr, "goroutine ") {
				t.Errorf("the %s role panicked:\n%s", tt.role, res.Stderr)
			}
			if procs := sb.Processes(); len(procs) != 0 {
				t.Errorf("processes left running: %v", procs)
			}
		})
	}
}
