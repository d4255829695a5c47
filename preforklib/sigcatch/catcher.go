package sigcatch

import (
	"errors"
	"fmt"
	"os/signal"
	"sync"
	"syscall"
)

// ErrActive is returned by Catch while another Catcher is active.
var ErrActive = errors.New("catch signals: another Catcher of this process is active")

// Catcher delivers the signals Catch caught, until Release.
type Catcher struct {
	// C receives each signal caught, in order. Signals arriving while it
	// is full (32 waiting) are dropped, as os/signal drops them.
	C <-chan syscall.Signal

	c        chan syscall.Signal
	caught   []syscall.Signal // what Release gives back, with impl's data
	impl     catcherImpl
	released bool
}

// maxSignal is the highest signal number of Linux (the handler writes the
// number as one byte).
const maxSignal = 64

// chanSize is how many caught signals C holds.
const chanSize = 32

var (
	activeMu sync.Mutex
	active   bool
)

// Catch starts catching sigs and delivering them on the Catcher's C,
// except for those ignored now (nohup's SIGHUP, a background job's
// SIGINT), which stay ignored: a program that did not catch them would
// not see them either. It fails with ErrActive while another Catcher is
// active, for SIGKILL and SIGSTOP, which cannot be caught, for a number
// that is no signal, and when the system refuses (no descriptor left for
// the pipe).
func Catch(sigs ...syscall.Signal) (*Catcher, error) {
	activeMu.Lock()
	defer activeMu.Unlock()
	if active {
		return nil, ErrActive
	}
	for _, sig := range sigs {
		switch {
		case sig < 1 || sig > maxSignal:
			return nil, fmt.Errorf("catch signal %d: no such signal", int(sig))
		case sig == syscall.SIGKILL || sig == syscall.SIGSTOP:
			return nil, fmt.Errorf("catch %v: it cannot be caught", sig)
		}
	}
	// The runtime knows which signals are ignored (those the process
	// started with ignored that it keeps so, SIGHUP and SIGINT, and any
	// signal.Ignore'd): asking it spares a system call per signal, which
	// on a virtual machine is dear.
	var toCatch []syscall.Signal
	for _, sig := range sigs {
		if !signal.Ignored(sig) {
			toCatch = append(toCatch, sig)
		}
	}
	c := &Catcher{c: make(chan syscall.Signal, chanSize)}
	c.C = c.c
	if err := c.catch(toCatch); err != nil {
		return nil, err
	}
	active = true
	return c, nil
}

// Caught returns the signals c catches: those given to Catch that were
// not ignored.
func (c *Catcher) Caught() []syscall.Signal { return append([]syscall.Signal(nil), c.caught...) }

// Release stops catching: the signals get back the actions they had
// before Catch. It returns the signals caught and not received from C,
// in order, so that the caller can act on them (raise them again, for
// the actions now in place). Release may be called while another
// goroutine receives from C; a signal then goes to one of the two.
// Calling it again does nothing.
func (c *Catcher) Release() []syscall.Signal {
	activeMu.Lock()
	defer activeMu.Unlock()
	if c.released {
		return nil
	}
	c.released, active = true, false
	c.stopDelivery() // nothing is sent on C after this
	var pending []syscall.Signal
	for {
		select {
		case sig := <-c.c: // unless the other receiver takes it first
			pending = append(pending, sig)
			continue
		default:
		}
		return append(pending, c.undelivered()...)
	}
}

// deliver sends sig on C, or drops it when C is full.
func (c *Catcher) deliver(sig syscall.Signal) {
	select {
	case c.c <- sig:
	default:
	}
}
