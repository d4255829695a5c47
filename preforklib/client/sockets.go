package client

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/watcher"

	"golang.org/x/sys/unix"
)

// The Unix sockets of prefork-interp: the server's listening socket, the
// socket pair of a new server's initial call, and a client's connection.
// They are made with x/sys/unix rather than package net so that each has
// exactly the blocking mode the peers expect and a descriptor that a child
// can inherit as it is.

// SocketMode is the mode of a server's listening socket: only its owner
// may connect (and the run directory around it is 0700 as well).
const SocketMode = 0o600

// listenUnix binds and listens on a fresh non-blocking socket at path and
// returns it with the identity and modification time of the socket file.
func listenUnix(path string) (f *os.File, id watcher.SocketID, mtime unix.Timespec, err error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, id, mtime, fmt.Errorf("make listening socket: %w", err)
	}
	f = os.NewFile(uintptr(fd), "listening socket "+path)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		f.Close()
		return nil, id, mtime, fmt.Errorf("bind listening socket %s: %w", path, err)
	}
	// Connecting takes write permission on the socket file, which bind
	// created with the umask's mode. Only the owner may call its server:
	// make it 0600 before listening, so that nobody else ever could
	// connect. (fchmod on a socket descriptor does not reach the file;
	// the umask is the whole process's, not this goroutine's.)
	if err := unix.Chmod(path, SocketMode); err != nil {
		f.Close()
		return nil, id, mtime, fmt.Errorf("make listening socket %s private: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		f.Close()
		return nil, id, mtime, fmt.Errorf("stat new socket %s: %w", path, err)
	}
	// The kernel caps the backlog at net.core.somaxconn; ask for all of it
	// so that a burst of clients queues instead of being refused.
	if err := unix.Listen(fd, math.MaxInt32); err != nil {
		f.Close()
		return nil, id, mtime, fmt.Errorf("listen on %s: %w", path, err)
	}
	return f, watcher.SocketID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, st.Mtim, nil
}

// socketPair makes the initial call's connected pair: the client end as a
// call connection, the server end as a blocking file for setup to inherit.
func socketPair() (*callConn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("make initial call socket pair: %w", err)
	}
	server := os.NewFile(uintptr(fds[1]), "initial call socket (server end)")
	return newCallConn(fds[0], "initial call socket (client end)"), server, nil
}

// dialUnix connects to the socket at path as a luapf client, waiting while
// its backlog is full (as a blocking connect does; Go's non-blocking one
// would fail with EAGAIN). It returns neither connection nor error when
// there is no socket or nobody listens on it.
func dialUnix(path string) (*callConn, error) {
	return dialUnixAs(path, preforklib.ClientAddress())
}

// dialStatus connects to the socket at path as a luapf client's status
// query (preforklib.StatusAddress), as dialUnix does, and returns a
// connection that takes deadlines: a status query must not wait for long.
func dialStatus(path string) (*net.UnixConn, error) {
	c, err := dialUnixAs(path, preforklib.StatusAddress())
	if c == nil || err != nil {
		return nil, err
	}
	return fileConn(os.NewFile(uintptr(c.fd), c.name))
}

// dialUnixAs is dialUnix with the client end bound to the abstract address
// local, which tells a luapf server who is calling (preforklib.ClientMark).
func dialUnixAs(path, local string) (*callConn, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("make call socket: %w", err)
	}
	c := newCallConn(fd, "call socket "+path)
	// Say we are a luapf client, so a luapf server offers its extensions
	// (preforklib.ClientMark); any other server ignores the address.
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: local}); err != nil {
		c.Close()
		return nil, fmt.Errorf("bind call socket: %w", err)
	}
	addr := &unix.SockaddrUnix{Name: path}
	for {
		err = unix.Connect(fd, addr)
		if err == unix.EINTR {
			continue // the interrupted connect goes on; the next call reports its end
		}
		if err == unix.EISCONN {
			err = nil
		}
		break
	}
	switch {
	case errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED):
		c.Close()
		return nil, nil
	case err != nil:
		c.Close()
		return nil, fmt.Errorf("connect to %s: %w", path, err)
	}
	return c, nil
}

// fileConn turns a connected Unix socket file into a connection, closing f.
func fileConn(f *os.File) (*net.UnixConn, error) {
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("use %s: %w", f.Name(), err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("use %s: not a Unix socket", f.Name())
	}
	return uc, nil
}
