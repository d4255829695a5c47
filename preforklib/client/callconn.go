package client

import (
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// callConn is the client's end of a call: a connected Unix stream socket,
// blocking, used with plain system calls rather than through the Go
// runtime's poller (net.FileConn).
//
// A client has one thing to wait for at a time, and waits for it in the
// system call itself; the call's end, with the caller's signals, in one
// poll(2) (forwarder.relayUntilReadable). The poller would buy it nothing
// and costs it, on the call's path: registering the socket starts the
// poller (an epoll instance and an eventfd), and each wait for the server
// parks the goroutine and wakes it again through a poller thread. On the
// 2-core VM of bench/results.md, where waking a thread and touching a page
// for the first time are dear, that was about a tenth of a millisecond to
// connect and as much again for each wait.
//
// Writes never raise SIGPIPE (MSG_NOSIGNAL): a server that went away is an
// EPIPE error, reported with the rest.
type callConn struct {
	fd   int
	name string // for error messages: "call socket PATH"
}

// newCallConn takes ownership of fd, a connected Unix stream socket.
func newCallConn(fd int, name string) *callConn { return &callConn{fd: fd, name: name} }

// Read reads from the socket, waiting for something to read; at end of
// file it returns io.EOF.
func (c *callConn) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(c.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: c.name, Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p, waiting while the socket's buffer is full.
func (c *callConn) Write(p []byte) (int, error) {
	n, _, err := c.WriteMsgUnix(p, nil, nil)
	return n, err
}

// WriteMsgUnix writes b with the ancillary data oob, which goes with its
// first byte, waiting while the socket's buffer is full; addr must be nil
// (the socket is connected). It implements preforklib.MsgWriter.
func (c *callConn) WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (n, oobn int, err error) {
	if addr != nil {
		return 0, 0, &os.PathError{Op: "write", Path: c.name, Err: fmt.Errorf("a connected socket takes no address")}
	}
	for {
		m, err := unix.SendmsgN(c.fd, b[n:], oob, nil, unix.MSG_NOSIGNAL)
		if err == unix.EINTR {
			continue // nothing was sent
		}
		if err != nil {
			return n, oobn, &os.PathError{Op: "write", Path: c.name, Err: err}
		}
		n += m
		if oob != nil { // sent with the first byte
			oobn, oob = len(oob), nil
		}
		if n >= len(b) {
			break
		}
	}
	return n, oobn, nil
}

// tryWrite writes p only if all of it fits in the socket's buffer now,
// without waiting; it reports whether it did. It is for what may be
// dropped rather than waited for: a signal frame to a server that has
// stopped reading them.
func (c *callConn) tryWrite(p []byte) (bool, error) {
	for {
		n, err := unix.SendmsgN(c.fd, p, nil, nil, unix.MSG_NOSIGNAL|unix.MSG_DONTWAIT)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return false, nil
		case err != nil:
			return false, &os.PathError{Op: "write", Path: c.name, Err: err}
		case n < len(p): // part of a frame: the rest must follow
			if _, err := c.Write(p[n:]); err != nil {
				return false, err
			}
		}
		return true, nil
	}
}

// Close closes the socket; closing it again does nothing.
func (c *callConn) Close() error {
	if c.fd < 0 {
		return nil
	}
	fd := c.fd
	c.fd = -1
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: c.name, Err: err}
	}
	return nil
}
