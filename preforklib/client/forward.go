package client

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
)

// forwarder relays the client's signals to its call's executor as frames
// (preforklib.WriteSignalFrame) for the duration of a call that
// negotiated FeatureSignals.
//
// It starts catching the signals that would end or stop the client
// (earlySignals) before the request is sent, so that a Ctrl-C in that
// moment neither kills the client behind the script's back nor is lost,
// and sends frames only after the request (frames follow the extension
// block on the socket). Catching a signal costs the Go runtime a round
// trip to its signal thread, so the client starts catching in the
// background as soon as it knows it will call a server, while it finds
// and connects to it, and abandons catching, as if it had never caught
// anything, when the call does not forward signals after all. The
// signals Go ignores by default (SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT) are
// caught right after, still in the background: the request need not wait
// for them, and the catching is over before the script runs, instead of
// competing with it for the CPU.
type forwarder struct {
	conn    io.Writer // the call's connection, set before begin closes
	sigs    chan os.Signal
	caught  chan struct{} // closed once the early signals are caught
	begin   chan struct{} // closed once the request is sent
	quit    chan struct{} // closed by stop and abandon
	warn    io.Writer     // where a failure to stop the client is reported
	stopped bool
}

// earlySignals are the ForwardedSignals whose default action would end or
// stop the client: those are caught before the request goes.
var earlySignals = map[syscall.Signal]bool{
	syscall.SIGINT: true, syscall.SIGTERM: true, syscall.SIGHUP: true, syscall.SIGQUIT: true, syscall.SIGTSTP: true,
}

// catchSignals starts catching the ForwardedSignals in the background.
// Signals the client was started with ignored (nohup's SIGHUP, a
// background job's SIGINT) stay ignored and are not forwarded: the script
// run directly would not have seen them either.
func catchSignals(warn io.Writer) *forwarder {
	f := &forwarder{
		sigs: make(chan os.Signal, 32), warn: warn,
		caught: make(chan struct{}), begin: make(chan struct{}), quit: make(chan struct{}),
	}
	go f.relay()
	return f
}

// toCatch returns the ForwardedSignals to catch early, or the others, but
// not those the client was started with ignored.
func toCatch(early bool) []os.Signal {
	var catch []os.Signal
	for _, sig := range preforklib.ForwardedSignals {
		if earlySignals[sig] == early && !signal.Ignored(sig) {
			catch = append(catch, sig)
		}
	}
	return catch
}

// requestSent lets the frames flow to conn: call it once the request is
// on conn. The signals are caught by then: the request must not go before
// they are.
func (f *forwarder) requestSent(conn io.Writer) {
	f.conn = conn
	close(f.begin)
}

// await waits until the signals are caught.
func (f *forwarder) await() { <-f.caught }

// stop stops relaying at the end of the call; signals caught and not yet
// relayed are dropped (the call is over). The client exits next, so the
// signals stay caught, and dropped, until then (undoing signal.Notify
// costs as much as doing it).
func (f *forwarder) stop() {
	if !f.stopped {
		f.stopped = true
		close(f.quit)
	}
}

// abandon undoes catching for a call that forwards no signals: it stops
// catching and then sends this process each signal it caught meanwhile,
// so that it acts as it would have had it not caught it (Go's default
// for the signal: SIGINT and SIGTERM end it, SIGTSTP stops it, ...).
func (f *forwarder) abandon() {
	f.await()
	f.stop()
	signal.Stop(f.sigs)
	for {
		select {
		case sig := <-f.sigs:
			syscall.Kill(os.Getpid(), sig.(syscall.Signal))
		default:
			return
		}
	}
}

// relay catches the early signals, then the others, and once the request
// is sent, sends a frame for each signal caught.
func (f *forwarder) relay() {
	signal.Notify(f.sigs, toCatch(true)...)
	close(f.caught)
	signal.Notify(f.sigs, toCatch(false)...)
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
		case s := <-f.sigs:
			sig = s.(syscall.Signal)
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
