package sigcatch

import (
	"errors"
	"fmt"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrActive is returned by Catch while another Catcher is active.
var ErrActive = errors.New("catch signals: another Catcher of this process is active")

// Catcher holds the signals Catch caught until they are taken (Take), or
// until Release.
//
// A Catcher needs no goroutine of its caller's: the caller waits for
// signals by polling Fd, together with whatever else it waits for, and
// takes them with Take. A client that waits for its call's end in one
// poll(2) on the call's socket and Fd thus starts no goroutine and no
// thread, and never wakes the Go runtime's poller.
type Catcher struct {
	caught   []syscall.Signal // what Release gives back, with impl's data
	impl     catcherImpl
	released bool
}

// maxSignal is the highest signal number of Linux (the handler writes the
// number as one byte).
const maxSignal = 64

// takeSize is how many signals Take reads from the pipe at a time.
const takeSize = 32

var (
	activeMu sync.Mutex
	active   bool
)

// The pipe that caught signals wait in, one byte each: made by the first
// Catch and kept for the life of the process, since whatever writes to it
// (a handler that started before Release put the old actions back, or
// os/signal's goroutine) may still do so as Release returns, and a
// goroutine may still be in Take. Both ends are non-blocking: a writer
// must never wait, and Take reads what is there.
var (
	pipeOnce     sync.Once
	pipeErr      error
	pipeR, pipeW int
)

// openPipe makes the pipe, once, and returns its read and write ends.
func openPipe() (r, w int, err error) {
	pipeOnce.Do(func() {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
			pipeErr = fmt.Errorf("catch signals: make a pipe: %w", err)
			return
		}
		pipeR, pipeW = p[0], p[1]
	})
	return pipeR, pipeW, pipeErr
}

// Catch starts catching sigs and holding them for Take, except for those
// ignored now (nohup's SIGHUP, a background job's SIGINT), which stay
// ignored: a program that did not catch them would not see them either.
// It fails with ErrActive while another Catcher is active, for SIGKILL
// and SIGSTOP, which cannot be caught, for a number that is no signal,
// and when the system refuses (no descriptor left for the pipe).
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
	c := &Catcher{}
	if err := c.catch(toCatch); err != nil {
		return nil, err
	}
	active = true
	return c, nil
}

// Caught returns the signals c catches: those given to Catch that were
// not ignored.
func (c *Catcher) Caught() []syscall.Signal { return append([]syscall.Signal(nil), c.caught...) }

// Fd returns a descriptor that polls readable (POLLIN) while caught
// signals wait to be taken. Poll it; do not read or close it. It stays
// valid after Release, but nothing more arrives on it.
func (c *Catcher) Fd() int { return pipeR }

// Take returns the signals caught and not yet taken, in the order they
// arrived, without waiting: none when none wait. Signals arriving while
// 64 KiB of them wait are dropped, as the kernel merges a signal that is
// already pending.
func (c *Catcher) Take() []syscall.Signal {
	var sigs []syscall.Signal
	var buf [takeSize]byte
	for {
		n, err := unix.Read(pipeR, buf[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil { // EAGAIN: nothing more waits
			return sigs
		}
		for _, b := range buf[:n] {
			sigs = append(sigs, syscall.Signal(b))
		}
	}
}

// Release stops catching: the signals get back the actions they had
// before Catch. It returns the signals caught and not taken, in order,
// so that the caller can act on them (raise them again, for the actions
// now in place). Release may be called while another goroutine calls
// Take; a signal then goes to one of the two. Calling it again does
// nothing.
func (c *Catcher) Release() []syscall.Signal {
	activeMu.Lock()
	defer activeMu.Unlock()
	if c.released {
		return nil
	}
	c.released, active = true, false
	c.stopCatching() // nothing more reaches the pipe after this
	return c.Take()
}
