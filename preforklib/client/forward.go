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
// (preforklib.WriteSignalFrame) for the duration of a call that negotiated FeatureSignals.
//
// It starts catching before the request is sent, so that a Ctrl-C in that
// moment neither kills the client behind the script's back nor is lost,
// and sends frames only after the request (frames follow the extension
// block on the socket).
type forwarder struct {
	conn  io.Writer
	sigs  chan os.Signal
	begin chan struct{} // closed once the request is sent
	quit  chan struct{} // closed by stop
	done  chan struct{} // closed when the relaying goroutine has ended
	warn  io.Writer     // where a failure to stop the client is reported
}

// catchSignals starts catching the ForwardedSignals for a call on conn.
// Signals the client was started with ignored (nohup's SIGHUP, a
// background job's SIGINT) stay ignored and are not forwarded: the script
// run directly would not have seen them either.
func catchSignals(conn io.Writer, warn io.Writer) *forwarder {
	f := &forwarder{
		conn: conn, sigs: make(chan os.Signal, 32), warn: warn,
		begin: make(chan struct{}), quit: make(chan struct{}), done: make(chan struct{}),
	}
	var catch []os.Signal
	for _, sig := range preforklib.ForwardedSignals {
		if !signal.Ignored(sig) {
			catch = append(catch, sig)
		}
	}
	signal.Notify(f.sigs, catch...)
	go f.relay()
	return f
}

// requestSent lets the frames flow.
func (f *forwarder) requestSent() { close(f.begin) }

// stop stops catching and relaying; signals caught and not yet relayed are
// dropped (the call is over). It waits for the relaying goroutine.
func (f *forwarder) stop() {
	signal.Stop(f.sigs)
	close(f.quit)
	<-f.done
}

func (f *forwarder) relay() {
	defer close(f.done)
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
