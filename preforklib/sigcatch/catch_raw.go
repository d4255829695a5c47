//go:build linux && amd64 && !sigcatch_osignal

package sigcatch

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The handler (handler_raw_amd64.s) and its return trampoline, whose
// addresses the assembly stores here.
var handlerPC, restorerPC uintptr

// pipeFD is the write end of the pipe (catcher.go), which the handler
// writes to. catch sets it, to the same value each time, before any
// action names the handler.
var pipeFD int32

// catcherImpl is what the raw Catcher adds: the actions it replaced.
type catcherImpl struct {
	old []sigaction
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

func (c *Catcher) catch(sigs []syscall.Signal) error {
	_, w, err := openPipe()
	if err != nil {
		return err
	}
	pipeFD = int32(w) // before any action names the handler
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
	return nil
}

// stopCatching puts back the actions catch replaced.
func (c *Catcher) stopCatching() {
	for i, sig := range c.caught {
		_ = rtSigaction(sig, &c.impl.old[i], nil)
	}
}
