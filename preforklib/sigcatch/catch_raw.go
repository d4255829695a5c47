//go:build linux && amd64 && !sigcatch_osignal

package sigcatch

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The handler (handler_raw_amd64.s) and its return trampoline, whose
// addresses the assembly stores here.
var handlerPC, restorerPC uintptr

// pipeFD is the write end of the pipe, which the handler writes to. It is
// set once, before any action names the handler.
var pipeFD int32

// The pipe, made by the first Catch and kept: a handler that started
// before Release put the old actions back may still write to it.
var (
	pipeOnce sync.Once
	pipeErr  error
	pipeR    *os.File // the read end, through the runtime's poller
	pipeRFD  int      // the same, for reading what is left without it
)

// catcherImpl is what the raw Catcher adds: the actions it replaced and
// the end of its reader.
type catcherImpl struct {
	old  []sigaction
	done chan struct{} // closed when read returns
}

// sigaction is the kernel's struct sigaction on amd64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// The sigaction flags the handler needs: the three-argument form (as the
// Go runtime installs its own), the thread's alternate signal stack (a
// goroutine's stack may be too small for the signal frame), the return
// trampoline, and interrupted system calls restarted.
const (
	saSiginfo   = 0x4
	saRestorer  = 0x04000000
	saOnstack   = 0x08000000
	saRestart   = 0x10000000
	actionFlags = saSiginfo | saOnstack | saRestorer | saRestart
)

// rtSigaction sets sig's action to act, when not nil, and stores the
// previous one in old, when not nil.
func rtSigaction(sig syscall.Signal, act, old *sigaction) error {
	const sigsetSize = 8
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), sigsetSize, 0, 0); errno != 0 {
		return errno
	}
	return nil
}

func openPipe() error {
	pipeOnce.Do(func() {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
			pipeErr = fmt.Errorf("catch signals: make a pipe: %w", err)
			return
		}
		pipeRFD, pipeFD = p[0], int32(p[1])
		pipeR = os.NewFile(uintptr(p[0]), "caught signals")
	})
	return pipeErr
}

func (c *Catcher) catch(sigs []syscall.Signal) error {
	if err := openPipe(); err != nil {
		return err
	}
	act := sigaction{handler: handlerPC, flags: actionFlags, restorer: restorerPC}
	for _, sig := range sigs {
		var old sigaction
		if err := rtSigaction(sig, &act, &old); err != nil {
			c.restore()
			return fmt.Errorf("catch %v: %w", sig, err)
		}
		c.caught = append(c.caught, sig)
		c.impl.old = append(c.impl.old, old)
	}
	c.impl.done = make(chan struct{})
	go c.read()
	return nil
}

// read delivers what the handler writes to the pipe until stopDelivery.
func (c *Catcher) read() {
	defer close(c.impl.done)
	var buf [chanSize]byte
	for {
		n, err := pipeR.Read(buf[:])
		for _, b := range buf[:n] {
			c.deliver(syscall.Signal(b))
		}
		if err != nil { // the deadline stopDelivery set
			return
		}
	}
}

// restore puts back the actions catch replaced.
func (c *Catcher) restore() {
	for i, sig := range c.caught {
		_ = rtSigaction(sig, &c.impl.old[i], nil)
	}
}

func (c *Catcher) stopDelivery() {
	c.restore()
	_ = pipeR.SetReadDeadline(time.Unix(1, 0)) // ends read's wait
	<-c.impl.done
	_ = pipeR.SetReadDeadline(time.Time{})
}

// undelivered returns the signals left in the pipe.
func (c *Catcher) undelivered() []syscall.Signal {
	var sigs []syscall.Signal
	var buf [chanSize]byte
	for {
		n, err := unix.Read(pipeRFD, buf[:])
		if n <= 0 || err != nil {
			return sigs
		}
		for _, b := range buf[:n] {
			sigs = append(sigs, syscall.Signal(b))
		}
	}
}
