//go:build linux && amd64 && !sigcatch_osignal

package sigcatch

import (
	"fmt"
	"sync"
	"syscall"
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
// before Release put the old actions back may still write to it. Both
// ends are non-blocking: the handler must never wait, and Take reads
// what is there.
var (
	pipeOnce sync.Once
	pipeErr  error
	pipeRFD  int // the read end
)

// catcherImpl is what the raw Catcher adds: the actions it replaced, and
// the pipe's read end.
type catcherImpl struct {
	old   []sigaction
	pipeR int
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
			c.stopCatching()
			return fmt.Errorf("catch %v: %w", sig, err)
		}
		c.caught = append(c.caught, sig)
		c.impl.old = append(c.impl.old, old)
	}
	c.impl.pipeR = pipeRFD
	return nil
}

// stopCatching puts back the actions catch replaced.
func (c *Catcher) stopCatching() {
	for i, sig := range c.caught {
		_ = rtSigaction(sig, &c.impl.old[i], nil)
	}
}
