package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
)

// The monitor is the goroutine that serves one call (docs/protocol.md,
// server): it sends the greeting on the call socket, hands the connection
// to an executor, which reads the request from the client itself and, at
// its end, sends the client the wait status, and watches the call
// meanwhile. If the client goes away first, the executor's process group
// gets SIGINT (then SIGKILL if it lingers). A luapf client that negotiated
// signal forwarding sends signal frames meanwhile (callgroup.go), which
// the monitor reads once the executor has read the request. When the
// executor ends without reporting its exit (a signal, a crash), the
// monitor sends the client the wait status.

const (
	// interruptGrace is how long a call's process group has to exit
	// after SIGINT once its client has gone, before SIGKILL.
	interruptGrace = 500 * time.Millisecond
	// refillWait bounds how long after its status a call waits for its
	// client to go before the pool starts the next executor.
	refillWait = 100 * time.Millisecond
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
	s.trace.Mark(calltrace.ServerGreeting)
	e, taken, err := s.handOver(conn, luapfClient)
	s.trace.Mark(calltrace.ServerHanded)
	s.serveTaken(conn, luapfClient, e, taken, err)
}

// serveTaken serves a call once an executor has answered for its request
// (err from awaitTaken): it runs, or it ends here.
func (s *server) serveTaken(conn *net.UnixConn, luapfClient bool, e *executor, t *taken, err error) {
	var noRequest *preforklib.NoRequestError
	switch {
	case errors.As(err, &noRequest):
		s.noRequest(noRequest)
	case err != nil:
		s.notRun(conn, luapfClient, err)
	default:
		s.runCall(conn, e, t)
	}
}

// runCall watches the call an executor took on conn until it is over,
// sends the client the status if the executor did not, and then lets the
// pool start the next executor.
func (s *server) runCall(conn *net.UnixConn, e *executor, taken *taken) {
	status, sent, reaped, callerGone := s.execute(conn, e, taken)
	if !sent {
		// The client may be gone already; then there is no one to tell.
		preforklib.WriteStatus(conn, status)
	}
	s.trace.Mark(calltrace.ServerStatus)
	// The call's slot is held until its executor is gone, so that never
	// more than max_servers executors exist.
	<-reaped
	if sent && e.killedAfterReport() {
		// It reported and was killed before it could send the status:
		// send it (a second copy, if it did, goes unread).
		preforklib.WriteStatus(conn, status)
	}
	// Only now, with the executor reaped and the caller gone (or given
	// refillWait to go), start the next executor (pool.go): until the
	// caller has exited, the call is not over for whoever waits for it.
	// The call's slot is free meanwhile.
	go func() {
		select {
		case <-callerGone:
		case <-time.After(refillWait):
		}
		s.pool.refill()
	}()
}

// noRequest logs a call on which the executor got no request. Not a
// failure when a luapf client hangs up after the greeting: its environment
// differs from what the initialisation read (preforklib.FeatureEnv), and
// it goes on to another server; the executor says so (ClientGone) for a
// luapf client only.
func (s *server) noRequest(nr *preforklib.NoRequestError) {
	if !nr.ClientGone {
		s.callFailed("connection dropped before its request was read: %s", nr.Why)
	}
}

// callFailed counts a failed call and logs its one line (calllog.go).
func (s *server) callFailed(format string, args ...any) {
	s.failed.Add(1)
	s.log.Printf("call of %s failed: %s", s.meta.Script, fmt.Sprintf(format, args...))
}

// taken is what the monitor learns of a call an executor took.
type taken struct {
	ext    preforklib.Extension // the request's extension block; nil for v1
	stderr *os.File             // the caller's stderr
}

// handOver gives the call on conn to an executor from the pool, which
// reads the request. A *preforklib.NoRequestError says no request came;
// the executor then goes back to the pool. If the executor died while
// waiting in the pool, handOver tries once more with another.
func (s *server) handOver(conn *net.UnixConn, luapfClient bool) (*executor, *taken, error) {
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		e, err := s.pool.take()
		if err != nil {
			return nil, nil, err
		}
		if err := preforklib.WriteCall(e.control, conn, luapfClient); err != nil {
			lastErr = fmt.Errorf("hand the call to executor %d: %w", e.cmd.Process.Pid, err)
			e.discard()
			continue
		}
		t, err := s.awaitTaken(e, false)
		return e, t, err
	}
	return nil, nil, lastErr
}

// awaitTaken reads the answer of an executor that has a call's connection
// and reads its request. A *preforklib.NoRequestError says no request
// came; the executor then goes back to the pool, once it has answered the
// revoke of its accept order if one is pending (revokePending, lend.go).
func (s *server) awaitTaken(e *executor, revokePending bool) (*taken, error) {
	answer, err := preforklib.ReadAnswer(e.control)
	var noRequest *preforklib.NoRequestError
	switch {
	case errors.As(err, &noRequest):
		if revokePending {
			if a, err := preforklib.ReadAnswer(e.control); err != nil || !a.Revoked {
				a.Close()
				e.discard()
				return nil, noRequest
			}
		}
		s.pool.putBack(e)
		return nil, err
	case err == nil && (!answer.Taken || answer.Conn != nil):
		answer.Close()
		err = errors.New("it answered as if it had accepted the call")
		fallthrough
	case err != nil:
		// It may have read part of the request: the call cannot go
		// to another executor.
		e.discard()
		return nil, fmt.Errorf("executor %d ended before it took the call: %w", e.cmd.Process.Pid, err)
	}
	return &taken{ext: answer.Ext, stderr: answer.Stderr}, nil
}

// notRun ends a call no executor took because of err: if the request can
// still be read, the caller hears why on its stderr; the status is 127.
func (s *server) notRun(conn *net.UnixConn, luapfClient bool, err error) {
	s.callFailed("not run: %v", err)
	conn.SetReadDeadline(time.Now().Add(preforklib.HandshakeTimeout))
	if req, rerr := preforklib.ReadRequest(conn, luapfClient); rerr == nil {
		preforklib.Say(req.Stderr, "cannot run %s: %v", s.meta.Script, err)
		req.Close()
	}
	preforklib.WriteStatus(conn, preforklib.ExitedWith(preforklib.ExitLuapfError))
}

// ending is how the call's executor ended, as the monitor learns it.
type ending struct {
	status     uint32
	fromReport bool // its exit report: it sends the client the status itself
}

// execute watches the call e took until e reports its exit code or is seen
// to end, and returns the call's wait status, whether the executor sends
// it to the client itself, a channel closed once the executor process has
// been reaped and one closed once the client has gone.
func (s *server) execute(conn *net.UnixConn, e *executor, t *taken) (status uint32, sent bool, reaped, callerGone <-chan struct{}) {
	defer t.stderr.Close()
	ended := make(chan ending, 2) // the executor's report, its wait status
	crashed := make(chan string, 1)
	done := make(chan struct{})
	group := newCallGroup(e.pgid)
	s.stats.busy.Add(1)
	reported := make(chan struct{})
	var reportComing atomic.Bool // the report has arrived, or is being read
	go func() {
		defer close(reported)
		if !awaitReadable(e.control) {
			return
		}
		reportComing.Store(true)
		if code, failure, ok := preforklib.ReadExitReport(e.control); ok {
			group.noteFailure(failure)
			ended <- ending{status: preforklib.ExitedWith(code), fromReport: true}
		}
	}()
	go func() {
		group.awaitExit()
		err := e.cmd.Wait()
		// The executor is gone, so its report (if any) is read at once;
		// the wait status must not overtake a failure report.
		<-reported
		e.control.Close()
		s.trace.MarkDetail(calltrace.ServerReaped, traceUsage(e.cmd))
		status := waitStatus(e.cmd, err)
		if report := e.crashReport(); report != "" {
			crashed <- report // before its status: see below
		}
		ended <- ending{status: status}
		s.stats.busy.Add(-1)
		close(done)
	}()
	gone := make(chan struct{})
	go func() {
		watchCaller(conn, t.ext, group)
		close(gone)
	}()
	var end ending
	interrupted := false
	select {
	case end = <-ended:
	case <-gone:
		// The executor reports its exit before it sends the status, so
		// a client that went away after its status left a report here:
		// still unread, or taken by the goroutine above, which marks it
		// before it reads it. (In that order: the other way round, the
		// goroutine could mark and read it between the two checks.)
		if readable(e.control) || reportComing.Load() {
			end = <-ended
			break
		}
		end = ending{status: interrupt(group, ended)}
		interrupted = true
	}
	s.trace.Mark(calltrace.ServerReport)
	status = end.status
	// A crashed executor sends no exit report, so its status came from
	// the goroutine that queued the crash report first.
	select {
	case report := <-crashed:
		status = s.reportCrash(t.stderr, group, e.cmd.Process.Pid, status, report)
	default:
	}
	s.served.Add(1)
	if reason := callFailure(syscall.WaitStatus(status), interrupted, group); reason != "" {
		s.callFailed("%s", reason)
	}
	return status, end.fromReport, done, gone
}

// awaitReadable waits until c has something to read, or has ended; it
// reads nothing. false: c cannot be waited on.
func awaitReadable(c *net.UnixConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var b [1]byte
	return rc.Read(func(fd uintptr) bool {
		_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return err != unix.EAGAIN
	}) == nil
}

// readable reports whether c has something to read now.
func readable(c *net.UnixConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var b [1]byte
	n := 0
	rc.Control(func(fd uintptr) {
		n, _, _ = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	})
	return n > 0
}

// interrupt ends a call whose client has gone: SIGINT to the executor's
// process group, SIGKILL after interruptGrace, and returns the wait status.
func interrupt(g *callGroup, done <-chan ending) uint32 {
	g.interrupt()
	select {
	case end := <-done:
		return end.status
	case <-time.After(interruptGrace):
		g.signal(syscall.SIGKILL)
		return (<-done).status
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
		return preforklib.ExitedWith(exitErr.ExitCode())
	}
	return preforklib.ExitedWith(preforklib.ExitLuapfError)
}

// traceUsage describes a finished command's resource usage for the trace.
func traceUsage(cmd *exec.Cmd) string {
	if cmd.ProcessState == nil {
		return ""
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return calltrace.Usage(ru)
}
