package server

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"time"

	"luapf/preforklib"
)

// The monitor is the goroutine that serves one call (docs/protocol.md, server): it
// speaks protocol v1 on the call socket, hands the call to an executor, and
// reports the executor's wait status. If the client goes away first, the
// executor's process group gets SIGINT (then SIGKILL if it lingers). A
// luapf client that negotiated signal forwarding sends signal frames
// meanwhile (callgroup.go).

const (
	// handshakeTimeout bounds how long a client may take to send its
	// request after the greeting; a silent connection is dropped.
	handshakeTimeout = 10 * time.Second
	// interruptGrace is how long a call's process group has to exit after
	// SIGINT once its client has gone, before SIGKILL.
	interruptGrace = 500 * time.Millisecond
)

// serveCall serves one call on conn; luapfClient says the client marked
// itself as a luapf client, which alone is offered luapf's extensions.
func (s *server) serveCall(conn *net.UnixConn, luapfClient bool) {
	defer conn.Close()
	var offer []byte
	if luapfClient {
		offer = s.offer().Encode()
	}
	if err := preforklib.WriteGreeting(conn, offer); err != nil {
		s.callFailed("could not send the greeting: %v", err)
		return
	}
	conn.SetReadDeadline(time.Now().Add(handshakeTimeout))
	req, err := preforklib.ReadRequest(conn, luapfClient)
	if luapfClient && errors.Is(err, preforklib.ErrPeerGone) {
		// Not a failure: a luapf client whose environment differs from
		// what the initialisation read hangs up after the greeting
		// (preforklib.FeatureEnv).
		return
	}
	if err != nil {
		s.callFailed("connection dropped before its request was read: %v", err)
		return
	}
	conn.SetReadDeadline(time.Time{})
	status, reaped := s.execute(conn, req)
	// The client may be gone already; then there is no one to tell.
	_ = preforklib.WriteStatus(conn, status)
	// The call's slot is held until its executor is gone, so that never
	// more than max_servers executors exist.
	<-reaped
}

// callFailed counts a failed call and logs its one line (calllog.go).
func (s *server) callFailed(format string, args ...any) {
	s.failed.Add(1)
	s.log.Printf("call of %s failed: %s", s.meta.Script, fmt.Sprintf(format, args...))
}

// execute runs req in an executor and returns its wait status, as soon as
// the executor reports its exit code or is seen to end, and a channel
// closed once the executor process has been reaped.
func (s *server) execute(conn *net.UnixConn, req *preforklib.Request) (uint32, <-chan struct{}) {
	e, err := s.handOver(req)
	// The executor has its own copies now; ours must not keep the
	// caller's pipes open. Stderr stays until the call's end is known:
	// that is where a failure to run it is reported.
	req.Stdin.Close()
	req.Stdout.Close()
	if req.Cwd != nil {
		req.Cwd.Close()
	}
	defer req.Stderr.Close()
	if err != nil {
		s.callFailed("not run: %v", err)
		preforklib.Say(req.Stderr, "cannot run %s: %v", s.meta.Script, err)
		reaped := make(chan struct{})
		close(reaped)
		return exitedWith(preforklib.ExitLuapfError), reaped
	}
	ended := make(chan uint32, 2) // the executor's report, its wait status
	crashed := make(chan string, 1)
	reaped := make(chan struct{})
	group := newCallGroup(e.pgid)
	s.stats.busy.Add(1)
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		if code, failure, ok := preforklib.ReadExitReport(e.control); ok {
			group.noteFailure(failure)
			ended <- exitedWith(code)
		}
	}()
	go func() {
		group.awaitExit()
		err := e.cmd.Wait()
		// The executor is gone, so its report (if any) is read at once;
		// the wait status must not overtake a failure report.
		<-reported
		e.control.Close()
		status := waitStatus(e.cmd, err)
		if report := e.crashReport(); report != "" {
			crashed <- report // before its status: see below
		}
		ended <- status
		s.stats.busy.Add(-1)
		close(reaped)
	}()
	gone := make(chan struct{})
	go func() {
		watchCaller(conn, req.Ext, group)
		close(gone)
	}()
	var status uint32
	callerGone := false
	select {
	case status = <-ended:
	case <-gone:
		status = interrupt(group, ended)
		callerGone = true
	}
	// A crashed executor sends no exit report, so its status came from
	// the goroutine that queued the crash report first.
	select {
	case report := <-crashed:
		status = s.reportCrash(req.Stderr, group, e.cmd.Process.Pid, status, report)
	default:
	}
	s.served.Add(1)
	if reason := callFailure(syscall.WaitStatus(status), callerGone, group); reason != "" {
		s.callFailed("%s", reason)
	}
	return status, reaped
}

// handOver gives req to an executor from the pool; if that executor died
// while waiting, it tries once more with a fresh one.
func (s *server) handOver(req *preforklib.Request) (*executor, error) {
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		e, err := s.pool.take()
		if err != nil {
			return nil, err
		}
		if err := preforklib.WriteRequest(e.control, req); err != nil {
			lastErr = fmt.Errorf("hand the call to executor %d: %w", e.cmd.Process.Pid, err)
			e.discard()
			continue
		}
		return e, nil
	}
	return nil, lastErr
}

// interrupt ends a call whose client has gone: SIGINT to the executor's
// process group, SIGKILL after interruptGrace, and returns the wait status.
func interrupt(g *callGroup, done <-chan uint32) uint32 {
	g.interrupt()
	select {
	case st := <-done:
		return st
	case <-time.After(interruptGrace):
		g.signal(syscall.SIGKILL)
		return <-done
	}
}

// waitStatus returns the raw wait status of a finished command.
func waitStatus(cmd *exec.Cmd, err error) uint32 {
	if cmd.ProcessState != nil {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
			return uint32(ws)
		}
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitedWith(exitErr.ExitCode())
	}
	return exitedWith(preforklib.ExitLuapfError)
}

// exitedWith is the wait status of a process that exited with code.
func exitedWith(code int) uint32 { return uint32(code&0xff) << 8 }
