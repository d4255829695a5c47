package server_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// badClient is a raw connection to a server's socket that sends what a
// test makes it send.
type badClient struct {
	t    *testing.T
	conn *net.UnixConn
}

// dialBad connects to sock and reads the greeting.
func dialBad(t *testing.T, sock string) *badClient {
	t.Helper()
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(testutil.HangDeadline))
	if _, err := preforklib.ReadGreeting(conn); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return &badClient{t: t, conn: conn}
}

func (c *badClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// sendFds sends n descriptors the way a client sends its standard files.
func (c *badClient) sendFds(n int) {
	c.t.Helper()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		c.t.Fatal(err)
	}
	defer devNull.Close()
	for i := 0; i < n; i++ {
		if err := preforklib.SendFile(c.conn, devNull); err != nil {
			c.t.Fatal(err)
		}
	}
}

// expectDropped waits until the server closes the connection without
// having sent anything (no status: no call ran).
func (c *badClient) expectDropped() {
	c.t.Helper()
	got, err := io.ReadAll(c.conn)
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		c.t.Fatalf("the server did not drop the connection within %v", testutil.HangDeadline)
	case len(got) > 0:
		c.t.Fatalf("the server answered %q instead of dropping the connection", got)
	}
}

func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// TestBadInputToServer: whatever a client sends after the greeting that is
// not a request (garbage, a wrong signalling byte, too few descriptors, a
// truncated message, a length over the cap, or nothing at all) gets its
// connection dropped and logged, the silent ones after the handshake time
// limit; the server serves every good call meanwhile.
func TestBadInputToServer(t *testing.T) {
	t.Parallel() // the silent clients wait out the 10 s handshake limit
	l := newLuapf(t)
	path := script("hello.lua")
	l.run("", path)
	server := l.onlyPid(l.servers(), "server")
	sock := l.serverFile("s")

	silent := dialBad(t, sock) // greeted, then sends nothing
	truncatedSilent := dialBad(t, sock)
	truncatedSilent.write([]byte{0})
	truncatedSilent.sendFds(3)
	truncatedSilent.write(append(u32(100), "A=1\x00"...)) // and no more

	for _, tc := range []struct {
		name   string
		send   func(c *badClient)
		logged string
	}{
		{"garbage", func(c *badClient) { c.write([]byte("GET / HTTP/1.1\r\n\r\n")) }, "signalling byte is 0x47, not 0x00"},
		{"non-zero signalling byte", func(c *badClient) { c.write([]byte{1}) }, "signalling byte is 0x01, not 0x00"},
		{"fewer than three fds", func(c *badClient) {
			c.write([]byte{0})
			c.sendFds(2)
			c.write([]byte{0})
		}, "receive the caller's stderr: the message carried 0 descriptors, want exactly 1"},
		{"fds, then gone", func(c *badClient) {
			c.write([]byte{0})
			c.sendFds(2)
			c.conn.CloseWrite()
		}, "receive the caller's stderr: the other end of the call socket went away"},
		{"truncated message", func(c *badClient) {
			c.write([]byte{0})
			c.sendFds(3)
			c.write(append(u32(100), "A=1\x00\x00luapf\x00"...))
			c.conn.CloseWrite()
		}, "read request message: the other end of the call socket went away"},
		{"length over the cap", func(c *badClient) {
			c.write([]byte{0})
			c.sendFds(3)
			c.write(u32(preforklib.MaxMessageLen + 1))
		}, "message of 67108865 bytes is more than the limit of 67108864"},
		{"malformed message", func(c *badClient) {
			c.write([]byte{0})
			c.sendFds(3)
			c.write(append(u32(6), "A\x00B=\x00\x00\x00"...))
		}, `environment entry 0 "A" has no '='`},
	} {
		c := dialBad(t, sock)
		tc.send(c)
		c.expectDropped() // the server logs before it closes
		if !strings.Contains(l.serverLog(), tc.logged) {
			t.Errorf("%s: the server log does not say %q:\n%s", tc.name, tc.logged, l.serverLog())
		}
		if res := l.run("", path, tc.name); res.Code != 0 || res.Stdout != "Hello, "+tc.name+"!\n" {
			t.Errorf("%s: the next good call: %+v", tc.name, res)
		}
	}

	for _, c := range []*badClient{silent, truncatedSilent} {
		c.expectDropped()
	}
	if n := strings.Count(l.serverLog(), "i/o timeout"); n != 2 {
		t.Errorf("%d silent connections logged as timed out, want 2:\n%s", n, l.serverLog())
	}
	if res := l.run("", path, "last"); res.Code != 0 || res.Stdout != "Hello, last!\n" {
		t.Errorf("the last call: %+v", res)
	}
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
}

// TestSilentClientHoldsNothing: a client that connects and then sends no
// request, a v1 client or one bound to a luapf client's address, takes
// nothing from the next callers while it waits out the handshake limit:
// the executor that accepted it (the server lends a pooled executor its
// listening socket) gives the socket back rather than wait on it, so the
// next call is served while the silent one is still connected.
func TestSilentClientHoldsNothing(t *testing.T) {
	t.Parallel() // each silent client waits out the 10 s handshake limit
	for _, tc := range []struct {
		name  string
		local *net.UnixAddr
	}{
		{"v1 client", nil},
		{"luapf client", &net.UnixAddr{Name: "@" + preforklib.ClientMark + "/silent/1", Net: "unix"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := script("hello.lua")
			l.run("", path)
			l.pooledExecutor() // restored, and lent the socket
			conn, err := net.DialUnix("unix", tc.local, &net.UnixAddr{Name: l.serverFile("s"), Net: "unix"})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(testutil.HangDeadline))
			if _, err := preforklib.ReadGreeting(conn); err != nil {
				t.Fatalf("greeting: %v", err)
			}
			if res := l.run("", path, "next"); res.Code != 0 || res.Stdout != "Hello, next!\n" {
				t.Fatalf("the next call: %+v", res)
			}
			// Still connected: the next call did not wait for the silent
			// one to be dropped.
			conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			var b [1]byte
			if _, err := conn.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("the silent connection was dropped (%v) before the next call ended", err)
			}
			conn.SetReadDeadline(time.Now().Add(testutil.HangDeadline))
			(&badClient{t: t, conn: conn}).expectDropped()
		})
	}
}
