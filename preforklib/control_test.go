package preforklib

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

// TestExitReports: what an executor writes before it exits is what its
// server reads: the exit code, and after ExitLuapfError the reason, cut to
// MaxFailureReport bytes.
func TestExitReports(t *testing.T) {
	long := strings.Repeat("x", MaxFailureReport+10)
	for _, tc := range []struct {
		name        string
		write       func(*bytes.Buffer) error
		code        int
		failure     string
		ok          bool
		wantWritten int
	}{
		{"exit 0", func(b *bytes.Buffer) error { return WriteExitReport(b, 0) }, 0, "", true, 4},
		{"exit 3", func(b *bytes.Buffer) error { return WriteExitReport(b, 3) }, 3, "", true, 4},
		{"script's own exit 127", func(b *bytes.Buffer) error { return WriteExitReport(b, ExitLuapfError) }, ExitLuapfError, "", true, 4},
		{"failure", func(b *bytes.Buffer) error { return WriteFailureReport(b, "cannot restore") }, ExitLuapfError, "cannot restore", true, 8 + 14},
		{"long failure", func(b *bytes.Buffer) error { return WriteFailureReport(b, long) }, ExitLuapfError, long[:MaxFailureReport], true, 8 + MaxFailureReport},
		{"no report", func(b *bytes.Buffer) error { return nil }, 0, "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			if b.Len() != tc.wantWritten {
				t.Errorf("wrote %d bytes, want %d", b.Len(), tc.wantWritten)
			}
			code, failure, ok := ReadExitReport(&b)
			if code != tc.code || failure != tc.failure || ok != tc.ok {
				t.Errorf("read %d, %.20q, %v; want %d, %.20q, %v", code, failure, ok, tc.code, tc.failure, tc.ok)
			}
		})
	}
	// A failure message longer than the limit is not read at all.
	var b bytes.Buffer
	WriteExitReport(&b, ExitLuapfError)
	b.Write([]byte{0, 0, 0x10, 1})
	if code, failure, ok := ReadExitReport(&b); code != ExitLuapfError || failure != "" || !ok {
		t.Errorf("oversized failure: %d, %q, %v", code, failure, ok)
	}
}

// FuzzReadExitReport: any bytes on an executor's control socket give an
// exit code or none, and never a failure message over the limit.
func FuzzReadExitReport(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3})
	f.Add([]byte{0, 0, 0, 127, 0, 0, 0, 2, 'h', 'i'})
	f.Add([]byte{0, 0, 0, 127, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		code, failure, ok := ReadExitReport(bytes.NewReader(data))
		if !ok && (code != 0 || failure != "") || len(failure) > MaxFailureReport || failure != "" && code != ExitLuapfError {
			t.Fatalf("%q read as %d, %q, %v", data, code, failure, ok)
		}
	})
}

// TestStatusQuery: the signalling byte of a status query, and a refusal of
// any other.
func TestStatusQuery(t *testing.T) {
	var b bytes.Buffer
	if err := WriteStatusQuery(&b); err != nil {
		t.Fatal(err)
	}
	if err := ReadStatusQuery(&b); err != nil {
		t.Errorf("read back: %v", err)
	}
	if err := ReadStatusQuery(bytes.NewReader([]byte{SignalV1})); err == nil {
		t.Error("a call's signalling byte was taken for a status query")
	}
	if err := ReadStatusQuery(bytes.NewReader(nil)); err == nil {
		t.Error("end of file was taken for a status query")
	}
}

// TestControlMessages: each order a server writes is the order its
// executor reads, and each answer an executor writes is the answer its
// server reads, descriptors included; a message of one side's kind is
// refused by the other side's reader.
func TestControlMessages(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(t.TempDir(), "s"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	inode := func(t *testing.T, fd int) uint64 {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	connInode := func(t *testing.T, c *net.UnixConn) uint64 {
		fd, err := connFd(c)
		if err != nil {
			t.Fatal(err)
		}
		return inode(t, fd)
	}
	listenerFd := func(t *testing.T) int {
		rc, err := listener.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		fd := -1
		rc.Control(func(raw uintptr) { fd = int(raw) })
		return fd
	}
	offer := LuapfOffer.Encode()

	t.Run("orders", func(t *testing.T) {
		call, _ := connPair(t)
		for _, tc := range []struct {
			name  string
			write func(control *net.UnixConn) error
			check func(t *testing.T, o Order)
		}{
			{"call order, luapf client", func(c *net.UnixConn) error { return WriteCall(c, call, true) }, func(t *testing.T, o Order) {
				if o.Conn == nil || !o.LuapfClient || o.Listener != -1 || o.Revoke || connInode(t, o.Conn) != connInode(t, call) {
					t.Errorf("got %+v, want the call's connection from a luapf client", o)
				}
			}},
			{"call order, v1 client", func(c *net.UnixConn) error { return WriteCall(c, call, false) }, func(t *testing.T, o Order) {
				if o.Conn == nil || o.LuapfClient {
					t.Errorf("got %+v, want the call's connection from a v1 client", o)
				}
			}},
			{"accept order", func(c *net.UnixConn) error { return WriteAcceptOrder(c, listener, offer) }, func(t *testing.T, o Order) {
				if o.Listener < 0 || o.Conn != nil || o.Revoke || !bytes.Equal(o.Offer, offer) || inode(t, o.Listener) != inode(t, listenerFd(t)) {
					t.Errorf("got %+v, want the listening socket and the offer %q", o, offer)
				}
			}},
			{"revoke", WriteRevoke, func(t *testing.T, o Order) {
				if !o.Revoke || o.Conn != nil || o.Listener != -1 {
					t.Errorf("got %+v, want a revoke", o)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				server, executor := connPair(t)
				if err := tc.write(server); err != nil {
					t.Fatal(err)
				}
				o, err := ReadOrder(executor)
				if err != nil {
					t.Fatal(err)
				}
				defer o.Close()
				tc.check(t, o)
			})
		}
	})

	t.Run("answers", func(t *testing.T) {
		call, _ := connPair(t)
		stderr, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer stderr.Close()
		defer w.Close()
		ext := Extension{FeatureSignals: ""}
		for _, tc := range []struct {
			name  string
			write func(control *net.UnixConn) error
			check func(t *testing.T, a Answer, err error)
		}{
			{"taken", func(c *net.UnixConn) error { return WriteTaken(c, ext, stderr) }, func(t *testing.T, a Answer, err error) {
				if err != nil || !a.Taken || a.Conn != nil || a.Stderr == nil || len(a.Ext) != 1 {
					t.Errorf("got %+v, %v; want taken with the extension block and stderr", a, err)
				}
			}},
			{"taken, v1", func(c *net.UnixConn) error { return WriteTaken(c, nil, stderr) }, func(t *testing.T, a Answer, err error) {
				if err != nil || !a.Taken || a.Ext != nil {
					t.Errorf("got %+v, %v; want taken without an extension block", a, err)
				}
			}},
			{"accepted and taken", func(c *net.UnixConn) error { return WriteAcceptedTaken(c, ext, stderr, call) }, func(t *testing.T, a Answer, err error) {
				if err != nil || !a.Taken || a.Conn == nil || a.HandedBack || a.Stderr == nil || connInode(t, a.Conn) != connInode(t, call) {
					t.Errorf("got %+v, %v; want taken with the call's connection", a, err)
				}
			}},
			{"accepted", func(c *net.UnixConn) error { return WriteAccepted(c, call) }, func(t *testing.T, a Answer, err error) {
				if err != nil || a.Taken || a.Conn == nil || a.HandedBack || connInode(t, a.Conn) != connInode(t, call) {
					t.Errorf("got %+v, %v; want the accepted connection", a, err)
				}
			}},
			{"handed back", func(c *net.UnixConn) error { return WriteHandBack(c, call) }, func(t *testing.T, a Answer, err error) {
				if err != nil || a.Taken || a.Conn == nil || !a.HandedBack {
					t.Errorf("got %+v, %v; want the connection handed back", a, err)
				}
			}},
			{"revoked", WriteRevoked, func(t *testing.T, a Answer, err error) {
				if err != nil || !a.Revoked || a.Conn != nil {
					t.Errorf("got %+v, %v; want revoked", a, err)
				}
			}},
			{"client gone", func(c *net.UnixConn) error { return WriteNoRequest(c, true, "went") }, func(t *testing.T, a Answer, err error) {
				var nr *NoRequestError
				if !errors.As(err, &nr) || !nr.ClientGone || nr.Why != "went" {
					t.Errorf("got %+v, %v; want a NoRequestError, client gone", a, err)
				}
			}},
			{"accept failed", func(c *net.UnixConn) error { return WriteAcceptFailed(c, "EMFILE") }, func(t *testing.T, a Answer, err error) {
				var ae *AcceptError
				if !errors.As(err, &ae) || ae.Why != "EMFILE" {
					t.Errorf("got %+v, %v; want an AcceptError", a, err)
				}
			}},
			{"an order is no answer", WriteRevoke, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				server, executor := connPair(t)
				if err := tc.write(executor); err != nil {
					t.Fatal(err)
				}
				a, err := ReadAnswer(server)
				defer a.Close()
				if tc.check == nil {
					if err == nil || !strings.Contains(err.Error(), "is no answer") {
						t.Errorf("got %+v, %v; want an error saying it is no answer", a, err)
					}
					return
				}
				tc.check(t, a, err)
			})
		}
	})
}
