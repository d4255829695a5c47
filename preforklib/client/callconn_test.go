package client

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// connPair returns a callConn and the other end of its socket, as a file
// whose reads and writes fail after testutil.HangDeadline; both are closed
// when the test ends.
func connPair(t *testing.T) (*callConn, *os.File) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The peer is non-blocking, so that its file takes deadlines: a
	// test that waits for something that never comes fails instead.
	if err := unix.SetNonblock(fds[1], true); err != nil {
		t.Fatal(err)
	}
	c, peer := newCallConn(fds[0], "test socket"), os.NewFile(uintptr(fds[1]), "peer")
	t.Cleanup(func() { c.Close(); peer.Close() })
	peer.SetDeadline(time.Now().Add(testutil.HangDeadline))
	return c, peer
}

// TestCallConn: what a call connection does, end to end on a socket pair.
func TestCallConn(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *callConn, peer *os.File)
	}{
		{"writes and reads", func(t *testing.T, c *callConn, peer *os.File) {
			if n, err := c.Write([]byte("ping")); n != 4 || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			got := make([]byte, 4)
			if _, err := io.ReadFull(peer, got); err != nil || string(got) != "ping" {
				t.Fatalf("peer read %q, %v", got, err)
			}
			peer.Write([]byte("pong"))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "pong" {
				t.Fatalf("Read %q, %v", got, err)
			}
		}},
		{"a write larger than the socket's buffer arrives whole", func(t *testing.T, c *callConn, peer *os.File) {
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
			got := make(chan []byte)
			go func() { b, _ := io.ReadAll(io.LimitReader(peer, int64(len(big)))); got <- b }()
			if n, err := c.Write(big); n != len(big) || err != nil {
				t.Fatalf("Write = %d, %v; want %d", n, err, len(big))
			}
			if b := <-got; !bytes.Equal(b, big) {
				t.Fatalf("peer read %d bytes, not those written", len(b))
			}
		}},
		{"descriptors go with the request", func(t *testing.T, c *callConn, peer *os.File) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			if err := preforklib.SendFile(c, w); err != nil {
				t.Fatal(err)
			}
			conn := fileConnT(t, peer)
			got, err := preforklib.ReceiveFile(conn, "sent pipe")
			if err != nil {
				t.Fatal(err)
			}
			got.Write([]byte("through"))
			got.Close()
			w.Close()
			if b, _ := io.ReadAll(r); string(b) != "through" {
				t.Fatalf("read %q from the pipe, want what its received end wrote", b)
			}
		}},
		{"end of file", func(t *testing.T, c *callConn, peer *os.File) {
			peer.Close()
			if n, err := c.Read(make([]byte, 4)); n != 0 || err != io.EOF {
				t.Fatalf("Read after the peer closed = %d, %v; want io.EOF", n, err)
			}
		}},
		{"a write to a peer gone fails with EPIPE, no SIGPIPE", func(t *testing.T, c *callConn, peer *os.File) {
			peer.Close()
			if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
				t.Fatalf("Write to a closed peer: %v, want EPIPE", err)
			}
		}},
		{"tryWrite does not wait for a full buffer", func(t *testing.T, c *callConn, peer *os.File) {
			deadline := time.Now().Add(testutil.HangDeadline)
			for {
				written, err := c.tryWrite(make([]byte, 4096))
				if err != nil {
					t.Fatal(err)
				}
				if !written {
					break // full: it returned instead of waiting
				}
				if time.Now().After(deadline) {
					t.Fatal("the socket's buffer never filled")
				}
			}
			if written, err := c.tryWrite([]byte{1}); written || err != nil {
				t.Fatalf("tryWrite on a full buffer = %v, %v; want not written", written, err)
			}
		}},
		{"close twice", func(t *testing.T, c *callConn, peer *os.File) {
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := connPair(t)
			tc.run(t, c, peer)
		})
	}
}

// TestRelayUntilReadable: signals caught before and during the wait reach
// the server as frames, in order, and the wait ends when the status comes.
func TestRelayUntilReadable(t *testing.T) {
	c, peer := connPair(t)
	fwd := catchSignalsT(t)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1) // before the wait: held until then
	done := make(chan error, 1)
	go func() { done <- fwd.relayUntilReadable(c) }()
	frame := make([]byte, 1)
	if _, err := io.ReadFull(peer, frame); err != nil || syscall.Signal(frame[0]) != syscall.SIGUSR1 {
		t.Fatalf("first frame %v, %v; want SIGUSR1", frame, err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGWINCH) // during the wait
	if _, err := io.ReadFull(peer, frame); err != nil || syscall.Signal(frame[0]) != syscall.SIGWINCH {
		t.Fatalf("second frame %v, %v; want SIGWINCH", frame, err)
	}
	select {
	case err := <-done:
		t.Fatalf("the wait ended with nothing to read: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := preforklib.WriteStatus(peer, preforklib.ExitedWith(3)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testutil.HangDeadline):
		t.Fatal("the wait did not end when the status came")
	}
	if status, err := preforklib.ReadStatus(c); err != nil || status != preforklib.ExitedWith(3) {
		t.Fatalf("status %#x, %v; want exit 3", status, err)
	}
}

// TestRelayToServerGone: when the server is gone, frames stop and the
// wait ends (reading the status then reports it).
func TestRelayToServerGone(t *testing.T) {
	c, peer := connPair(t)
	fwd := catchSignalsT(t)
	peer.Close()
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	if err := fwd.relayUntilReadable(c); err != nil {
		t.Fatal(err)
	}
	if _, err := preforklib.ReadStatus(c); !errors.Is(err, preforklib.ErrPeerGone) {
		t.Fatalf("ReadStatus: %v, want ErrPeerGone", err)
	}
}

// fileConnT returns a connection on a duplicate of f's descriptor, closed
// when the test ends.
func fileConnT(t *testing.T, f *os.File) *net.UnixConn {
	t.Helper()
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.UnixConn)
}

// catchSignalsT catches the forwarded signals for the test, releasing
// them (without raising those caught) when it ends.
func catchSignalsT(t *testing.T) *forwarder {
	t.Helper()
	fwd, err := catchSignals(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fwd.catcher.Release() })
	return fwd
}
