package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

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
// extension block on the socket), while the client waits for the call's
// end (relayUntilReadable). It catches them with package sigcatch, a
// handler that writes to a pipe, not os/signal, whose round trips to the
// Go runtime's signal thread, and the three threads it starts, were a
// noticeable part of a warm call; and it waits in one poll(2) on the
// call's socket and that pipe, on the client's own thread, so that a call
// starts no goroutine at all. When the call turns out not to forward
// signals, the forwarder is abandoned, as if it had never caught
// anything.
type forwarder struct {
	catcher *sigcatch.Catcher
	warn    io.Writer // where a failure to stop the client is reported
	// absorbCont says the next SIGCONT is the one that ended the
	// client's own stop (relay), which is forwarded already.
	absorbCont bool
	// broken says a frame could not be written: the server is gone, and
	// reading the status reports that.
	broken bool
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
	return &forwarder{catcher: c, warn: warn}, nil
}

// abandon undoes catching for a call that forwards no signals: it stops
// catching and then sends this process each signal it caught and did
// not forward, so that it acts as it would have had it not caught it (Go's
// default for the signal: SIGINT and SIGTERM end it, SIGTSTP stops it, ...).
func (f *forwarder) abandon() {
	for _, sig := range f.catcher.Release() {
		syscall.Kill(os.Getpid(), sig)
	}
}

// relayUntilReadable waits until conn, whose request has been sent, has
// something to read (the call's status, or its end), and relays the
// signals caught before and meanwhile as frames on conn. Signals caught
// after it returns stay caught, and are dropped: the call is over, and the
// client exits next.
func (f *forwarder) relayUntilReadable(conn *callConn) error {
	fds := []unix.PollFd{
		{Fd: int32(conn.fd), Events: unix.POLLIN},
		{Fd: int32(f.catcher.Fd()), Events: unix.POLLIN},
	}
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return fmt.Errorf("wait for the end of the call on %s: %w", conn.name, err)
		}
		if fds[1].Revents != 0 {
			for _, sig := range f.catcher.Take() {
				f.relay(conn, sig)
			}
		}
		if fds[0].Revents != 0 { // the status, end of file or an error: reading says which
			return nil
		}
	}
}

// relay sends sig as a frame on conn. After the client's own stop it
// forwards SIGCONT itself, since the kernel may have discarded the stop
// (an orphaned process group) and nothing else would continue the
// executor; the SIGCONT that ended a real stop is then not forwarded a
// second time. (After a discarded stop no SIGCONT comes, and the next one
// is not forwarded: a SIGCONT to a running group matters only to a script
// that traps it.)
func (f *forwarder) relay(conn *callConn, sig syscall.Signal) {
	if sig == syscall.SIGCONT && f.absorbCont {
		f.absorbCont = false
		return
	}
	if !f.send(conn, sig) || sig != syscall.SIGTSTP {
		return
	}
	if err := reexec.StopSelf(); err != nil {
		preforklib.Say(f.warn, "%v", err)
	}
	if f.send(conn, syscall.SIGCONT) {
		f.absorbCont = true
	}
}

// send writes sig's frame on conn, unless the socket's buffer is full (a
// server that has stopped reading frames, thousands of signals on: the
// frame is dropped, as the kernel merges a signal already pending, so
// that the client never waits on it) or the server is gone. It reports
// whether the frame was written.
func (f *forwarder) send(conn *callConn, sig syscall.Signal) bool {
	if f.broken {
		return false
	}
	err := preforklib.WriteSignalFrame(writeNow{conn}, sig)
	if err != nil && !errors.Is(err, errBufferFull) {
		f.broken = true // reading the status reports it
	}
	return err == nil
}

// errBufferFull says writeNow would have had to wait.
var errBufferFull = errors.New("the socket's buffer is full")

// writeNow writes to a call connection without waiting (callConn.tryWrite).
type writeNow struct{ conn *callConn }

func (w writeNow) Write(p []byte) (int, error) {
	written, err := w.conn.tryWrite(p)
	switch {
	case err != nil:
		return 0, err
	case !written:
		return 0, errBufferFull
	}
	return len(p), nil
}
