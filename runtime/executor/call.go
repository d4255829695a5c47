package executor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
	"luapf/preforklib/reexec"
	"luapf/runtime/image"
)

// A call as an executor sees it: either the server hands it the call's
// connection (a call order, preforklib.WriteCall), or it accepts the
// connection itself on the server's listening socket (an accept order,
// accept.go). Either way the executor reads the request from the client
// itself, tells the server it took the call, and at its end reports its
// exit code to the server and sends the client the wait status.
type call struct {
	control *net.UnixConn // to the server
	conn    *net.UnixConn // to the client
}

// awaitCall waits for the server's orders until it has a call, and reads
// its request from the client. A connection on which no request comes
// (the client hung up after the greeting, or sent something else) is
// reported, and the executor, untouched, waits for the next order. So is
// a luapf client's request whose environment differs from what the
// initialisation read (meta's): the client sent it before it read the
// greeting that says so (an early request), and hangs up to go on to
// another server. An error wrapping preforklib.ErrPeerGone means the
// server let this executor go.
func awaitCall(control *net.UnixConn, meta *image.Meta, trace *calltrace.Recorder) (*call, *preforklib.Request, error) {
	deps := preforklib.EnvDeps{Names: meta.EnvNames, Digest: meta.EnvDigest}
	for {
		order, err := preforklib.ReadOrder(control)
		if err != nil {
			return nil, nil, err
		}
		// accepted: by this executor, and the server has no copy yet.
		conn, luapfClient, accepted := order.Conn, order.LuapfClient, false
		switch {
		case order.Revoke:
			// It crossed this executor's answer to its accept order.
			if err := preforklib.WriteRevoked(control); err != nil {
				return nil, nil, err
			}
			continue
		case order.Listener >= 0:
			var told bool
			if conn, luapfClient, told, err = acceptCall(control, order, meta, trace); err != nil {
				return nil, nil, err
			}
			if conn == nil {
				continue // revoked, handed back, or not a call
			}
			accepted = !told
		}
		req, clientGoes, err := readRequest(conn, luapfClient, deps)
		if err != nil {
			conn.Close()
			// The server logs the call as failed unless a luapf client
			// went away (to another server, when its environment differs).
			if err := preforklib.WriteNoRequest(control, clientGoes && luapfClient, err.Error()); err != nil {
				return nil, nil, err
			}
			continue
		}
		if accepted {
			err = preforklib.WriteAcceptedTaken(control, req.Ext, req.Stderr, conn)
		} else {
			err = preforklib.WriteTaken(control, req.Ext, req.Stderr)
		}
		if err != nil {
			req.Close()
			conn.Close()
			return nil, nil, err
		}
		return &call{control: control, conn: conn}, req, nil
	}
}

// readRequest reads the request of a call whose greeting was sent. A
// luapf client's environment must be what the initialisation read (deps).
// clientGoes says a failure is the client's going away, or its going on
// to another server: not the client's fault.
func readRequest(conn *net.UnixConn, luapfClient bool, deps preforklib.EnvDeps) (req *preforklib.Request, clientGoes bool, err error) {
	conn.SetReadDeadline(time.Now().Add(preforklib.HandshakeTimeout))
	req, err = preforklib.ReadRequest(conn, luapfClient)
	switch {
	case err != nil:
		return nil, errors.Is(err, preforklib.ErrPeerGone), err
	case luapfClient && !deps.Matches(req.Env):
		req.Close()
		return nil, true, errors.New("its environment differs from what the initialisation read")
	}
	conn.SetReadDeadline(time.Time{})
	return req, false, nil
}

// exit lets the caller's files go, reports the exit code to the server and
// then sends the client the call's status, before this process exits: the
// kernel takes milliseconds to tear down a large restored heap, and the
// caller need not wait for that; its pipes close now, not after it. The
// report goes first, so that the server never takes the client's going
// away after its status for a caller that left during the call.
func (c *call) exit(code int) {
	releaseCallerFiles()
	preforklib.WriteExitReport(c.control, code)
	preforklib.WriteStatus(c.conn, preforklib.ExitedWith(code))
	yieldCPU()
	awaitCallerExit(c.conn, callerExitWait)
}

// fail ends a call that luapf could not run once the caller's files are
// the executor's: the message goes to the caller's stderr, and to the
// server for its log. It returns the exit status.
func (c *call) fail(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	preforklib.Say(os.Stderr, "%s", msg)
	releaseCallerFiles()
	preforklib.WriteFailureReport(c.control, msg)
	preforklib.WriteStatus(c.conn, preforklib.ExitedWith(preforklib.ExitLuapfError))
	yieldCPU()
	awaitCallerExit(c.conn, callerExitWait)
	return preforklib.ExitLuapfError
}

// yieldCPU makes every thread of this process SCHED_IDLE once its call
// is over (the lowest niceness, 19, where the kernel refuses that): the
// kernel's teardown of the process, which takes milliseconds for a large
// restored heap, then gives way to the other calls' executors and to
// whoever waits for the call's end. Nice 19 did not do that across
// sessions (the kernel groups processes by session for scheduling,
// autogroup, and niceness counts only within a group); a CPU that runs
// only SCHED_IDLE tasks counts as idle to a waking task, which takes it
// at once. Measured with luapf-bench trace, the caller's wait for its
// exited client shrank by a tenth of a millisecond. Children of the
// script are processes of their own, and keep their policy.
func yieldCPU() {
	idle := &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}
	reexec.EachThread(func(tid int) error {
		if unix.SchedSetAttr(tid, idle, 0) != nil {
			unix.Setpriority(unix.PRIO_PROCESS, tid, 19)
		}
		return nil
	})
}

// callerExitWait bounds how long a finished executor waits for its
// caller's exit (awaitCallerExit).
const callerExitWait = 100 * time.Millisecond

// awaitCallerExit waits until the process at the other end of conn, the
// call's client, has exited, for at most bound, before this process
// exits. Measured on a 2-core VM, a client's exit took 1 ms longer
// when the executor's own exit (the kernel tearing down its threads and
// heap) ran at the same time, and a caller waits for its client's exit,
// not the executor's. The executor holds nothing of the caller's by now
// (releaseCallerFiles), so the wait costs only its memory, briefly. It
// does not wait where it cannot tell (no SO_PEERCRED pid, as from another
// PID namespace, or no pidfd_open before Linux 5.3).
func awaitCallerExit(conn *net.UnixConn, bound time.Duration) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return
	}
	pid := 0
	raw.Control(func(fd uintptr) {
		if cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	if pid <= 0 {
		return
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // ESRCH: it is gone already
	}
	defer unix.Close(pidfd)
	deadline := time.Now().Add(bound)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		// A pidfd is readable once its process has exited.
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(left/time.Millisecond)+1); err != unix.EINTR {
			return
		}
	}
}

// releaseCallerFiles makes fds 0, 1 and 2 /dev/null, letting the caller's
// go.
func releaseCallerFiles() {
	if devNull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		for fd := 0; fd <= 2; fd++ {
			dupOnto(devNull, fd)
		}
		devNull.Close()
	}
}
