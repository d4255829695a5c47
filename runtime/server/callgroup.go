package server

import (
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
)

// callGroup is the process group of a call's executor: the executor, which
// leads it, and every process the script started. Signals go to the whole
// group, as a terminal sends them to a foreground job, but only until the
// executor has been reaped: an exited but unreaped leader keeps its pid, and
// so the group id, from being reused by an unrelated process.
type callGroup struct {
	pgid int

	mu        sync.Mutex
	exited    bool
	stopped   bool             // the caller forwarded SIGTSTP and no SIGCONT since
	forwarded []syscall.Signal // what the caller forwarded, for the log
	failed    string           // the executor's failure report, for the log
}

func newCallGroup(pgid int) *callGroup { return &callGroup{pgid: pgid} }

// signal sends sig to the group, unless its leader has exited.
func (g *callGroup) signal(sig syscall.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.exited {
		syscall.Kill(-g.pgid, sig)
	}
}

// forward sends a signal the caller forwarded and remembers it.
func (g *callGroup) forward(sig syscall.Signal) {
	g.mu.Lock()
	g.forwarded = append(g.forwarded, sig)
	switch sig {
	case syscall.SIGTSTP:
		g.stopped = true
	case syscall.SIGCONT:
		g.stopped = false
	}
	g.mu.Unlock()
	g.signal(sig)
}

// interrupt asks the group to end: SIGINT, and SIGCONT after it if the
// caller had stopped the group, so that the script gets to act on SIGINT
// (as the kernel sends SIGHUP and SIGCONT to a stopped group left
// without a shell).
func (g *callGroup) interrupt() {
	g.signal(syscall.SIGINT)
	g.mu.Lock()
	stopped := g.stopped
	g.mu.Unlock()
	if stopped {
		g.signal(syscall.SIGCONT)
	}
}

// awaitExit blocks until the leader, a child of this process, has exited,
// without reaping it, and from then on lets no signal through. The caller
// reaps it afterwards (exec.Cmd.Wait).
func (g *callGroup) awaitExit() {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, g.pgid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	g.mu.Lock()
	g.exited = true
	g.mu.Unlock()
}

// noteFailure records the executor's report of why it could not run the
// call.
func (g *callGroup) noteFailure(msg string) {
	g.mu.Lock()
	g.failed = msg
	g.mu.Unlock()
}

// failure returns the executor's failure report, "" if none.
func (g *callGroup) failure() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// forwardedNames describes what the caller forwarded, "" if nothing.
func (g *callGroup) forwardedNames() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, len(g.forwarded))
	for i, sig := range g.forwarded {
		names[i] = unix.SignalName(sig)
	}
	return strings.Join(names, ", ")
}

// watchCaller returns when the caller of a call has gone: end of file (or
// an error) on the call socket. On a plain v1 call the client sends nothing
// more after its request, so anything readable means gone, as in the
// Perl library. On a call that negotiated preforklib.FeatureSignals, each
// byte is a signal frame, relayed to the executor's group.
func watchCaller(conn *net.UnixConn, ext preforklib.Extension, g *callGroup) {
	_, signals := ext[preforklib.FeatureSignals]
	buf := make([]byte, 64)
	for {
		n, err := conn.Read(buf)
		if !signals || err != nil {
			return
		}
		for _, sig := range preforklib.SignalFrames(buf[:n]) {
			g.forward(sig)
		}
	}
}
