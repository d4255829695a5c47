package client

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
	"luapf/preforklib/sigcatch"
)

// forwarder relays the client's signals to its call's executor as frames
// (preforklib.WriteSignalFrame) for the duration of a call that
// negotiated FeatureSignals.
//
// It catches the signals before the request is sent, so that a Ctrl-C in
// that moment neither kills the client behind the script's back nor is
// lost, and sends frames only after the request (frames follow the
// extension block on the socket). It catches them with package sigcatch,
// a handler that writes to a pipe, not os/signal, whose round trips to
// the Go runtime's signal thread, and the three threads it starts, were
// a noticeable part of a warm call. When the call turns out not to
// forward signals, the forwarder is abandoned, as if it had never caught
// anything.
type forwarder struct {
	catcher *sigcatch.Catcher
	conn    io.Writer     // the call's connection, set before begin closes
	begin   chan struct{} // closed once the request is sent
	quit    chan struct{} // closed by stop and abandon
	warn    io.Writer     // where a failure to stop the client is reported
	stopped bool
}

// catchSignals starts catching the ForwardedSignals. Signals the client
// was started with ignored (nohup's SIGHUP, a background job's SIGINT)
// stay ignored and are not forwarded: the script run directly would not
// have seen them either.
func catchSignals(warn io.Writer) (*forwarder, error) {
	c, err := sigcatch.Catch(preforklib.ForwardedSignals...)
	if err != nil {
		return nil, fmt.Errorf("forward signals: %w", err)
	}
	f := &forwarder{catcher: c, warn: warn, begin: make(chan struct{}), quit: make(chan struct{})}
	go f.relay()
	return f, nil
}

// requestSent lets the frames flow to conn: call it once the request is
// on conn.
func (f *forwarder) requestSent(conn io.Writer) {
	f.conn = conn
	close(f.begin)
}

// stop stops relaying at the end of the call; signals caught and not yet
// relayed are dropped (the call is over). The client exits next, so the
// signals stay caught, and dropped, until then.
func (f *forwarder) stop() {
	if !f.stopped {
		f.stopped = true
		close(f.quit)
	}
}

// abandon undoes catching for a call that forwards no signals: it stops
// catching and then sends this process each signal it caught and did
// not forward, so that it acts as it would have had it not caught it (Go's
// default for the signal: SIGINT and SIGTERM end it, SIGTSTP stops it, ...).
func (f *forwarder) abandon() {
	f.stop()
	for _, sig := range f.catcher.Release() {
		syscall.Kill(os.Getpid(), sig)
	}
}

// relay waits for the request to be sent, then sends a frame for each
// signal caught.
func (f *forwarder) relay() {
	select {
	case <-f.begin:
	case <-f.quit:
		return
	}
	// After the client's own stop it forwards SIGCONT itself, since the
	// kernel may have discarded the stop (an orphaned process group) and
	// nothing else would continue the executor; the SIGCONT that ended a
	// real stop is then not forwarded a second time. (After a discarded
	// stop no SIGCONT comes, and the next one is not forwarded: a SIGCONT
	// to a running group matters only to a script that traps it.)
	absorbCont := false
	for {
		var sig syscall.Signal
		select {
		case <-f.quit:
			return
		case sig = <-f.catcher.C:
		}
		if sig == syscall.SIGCONT && absorbCont {
			absorbCont = false
			continue
		}
		// A failed write means the server is gone; reading the status
		// reports that.
		if preforklib.WriteSignalFrame(f.conn, sig) != nil {
			return
		}
		if sig != syscall.SIGTSTP {
			continue
		}
		if err := reexec.StopSelf(); err != nil {
			preforklib.Say(f.warn, "%v", err)
		}
		if preforklib.WriteSignalFrame(f.conn, syscall.SIGCONT) != nil {
			return
		}
		absorbCont = true
	}
}
