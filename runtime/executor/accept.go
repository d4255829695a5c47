package executor

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
	"luapf/preforklib/rundir"
	"luapf/runtime/image"
)

// acceptCall carries out an accept order (preforklib.Order): it waits for
// the next connection on the server's listening socket, or for the server
// to revoke the order, whichever comes first, and closes its copy of the
// socket before it returns. A connection it may serve (servable) it
// greets, as the server would have, and returns; luapfClient says it was
// offered luapf's extensions. Any other it hands back to the server
// untouched.
//
// The server accepts nothing while the order stands, so the executor must
// not keep it waiting on a client: unless a luapf client's request is
// there within earlyRequestWait, it gives the server the connection at
// once (preforklib.WriteAccepted; told) and reads the request after.
//
// The wait is one poll(2) on the listening socket and the control socket,
// with no goroutine and no Go poller between: the call's connect wakes
// this thread directly. (The server polls its listening socket too, with
// the Go runtime's poller, but does not accept while the order stands.)
//
// conn is nil when this executor has no call: the order was revoked, or
// the connection handed back or not greeted, and the server was told. An
// error means the server could not be told: it is gone.
func acceptCall(control *net.UnixConn, order preforklib.Order, meta *image.Meta, trace *calltrace.Recorder) (conn *net.UnixConn, luapfClient, told bool, err error) {
	defer unix.Close(order.Listener)
	rc, err := control.SyscallConn()
	if err != nil {
		return nil, false, false, err
	}
	controlFd := -1
	rc.Control(func(fd uintptr) { controlFd = int(fd) })
	fds := []unix.PollFd{
		{Fd: int32(order.Listener), Events: unix.POLLIN},
		{Fd: int32(controlFd), Events: unix.POLLIN},
	}
	for {
		if err := waitReadable(fds, hotWait); err != nil {
			return nil, false, false, preforklib.WriteAcceptFailed(control, fmt.Sprintf("wait for a call on the server's socket: %v", err))
		}
		if fds[1].Revents != 0 {
			// A revoke (end of file: the server let this executor go). The
			// server takes the socket back: a connection that came
			// meanwhile waits for it there.
			next, err := preforklib.ReadOrder(control)
			if err != nil {
				return nil, false, false, err
			}
			if !next.Revoke {
				next.Close()
				return nil, false, false, fmt.Errorf("receive an order: another order while accepting on the server's socket")
			}
			return nil, false, false, preforklib.WriteRevoked(control)
		}
		if fds[0].Revents&unix.POLLIN == 0 {
			return nil, false, false, preforklib.WriteAcceptFailed(control, fmt.Sprintf("wait for a call on the server's socket: poll reports %#x", fds[0].Revents))
		}
		fd, _, err := unix.Accept4(order.Listener, unix.SOCK_CLOEXEC)
		switch err {
		case nil:
		case unix.EAGAIN, unix.EINTR, unix.ECONNABORTED:
			continue // gone before it was accepted
		default:
			return nil, false, false, preforklib.WriteAcceptFailed(control, fmt.Sprintf("accept a call on the server's socket: %v", err))
		}
		trace.Mark(calltrace.ExecutorAccept)
		if conn, err = preforklib.UnixConnFromFd(fd); err != nil {
			return nil, false, false, preforklib.WriteAcceptFailed(control, fmt.Sprintf("accept a call on the server's socket: %v", err))
		}
		if !servable(conn, meta) {
			defer conn.Close()
			return nil, false, false, preforklib.WriteHandBack(control, conn)
		}
		luapfClient = preforklib.IsLuapfClient(conn.RemoteAddr())
		var offer []byte
		if luapfClient {
			offer = order.Offer
		}
		if err := preforklib.WriteGreeting(conn, offer); err != nil {
			conn.Close()
			return nil, false, false, preforklib.WriteNoRequest(control, false, fmt.Sprintf("could not send the greeting: %v", err))
		}
		if !luapfClient || !readableWithin(conn, earlyRequestWait) {
			if err := preforklib.WriteAccepted(control, conn); err != nil {
				conn.Close()
				return nil, false, false, err
			}
			told = true
		}
		return conn, luapfClient, told, nil
	}
}

// earlyRequestWait bounds how long an executor lent the listening socket
// waits for a luapf client's request before it gives the server the
// connection and the socket back. A luapf client that calls its own
// server sends its request just after it connects, so the request is
// usually there when the executor has accepted and greeted; a v1 client
// sends it only once it has read the greeting.
const earlyRequestWait = 2 * time.Millisecond

// readableWithin reports whether conn has something to read within d.
func readableWithin(conn *net.UnixConn, d time.Duration) bool {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		deadline := time.Now().Add(d)
		for left := d; left > 0; left = time.Until(deadline) {
			var err error
			if n, err = unix.Poll(fds, int((left+time.Millisecond-1)/time.Millisecond)); err != unix.EINTR {
				return
			}
		}
	})
	return n > 0
}

// servable reports whether an executor that accepted conn may serve it,
// as the server would: a call, not a status query, from this process's
// user, to a server whose script and what its initialisation read have not
// changed (else the server must quit: image.Meta.Stale). The server
// decides on anything else, and logs it.
func servable(conn *net.UnixConn, meta *image.Meta) bool {
	if preforklib.IsStatusQuery(conn.RemoteAddr()) || rundir.CheckPeer(conn) != nil {
		return false
	}
	_, stale := meta.Stale()
	return !stale
}
