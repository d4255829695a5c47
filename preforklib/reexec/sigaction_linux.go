package reexec

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DieOfSignal kills the process with sig the way the C client does: the
// signal's action set to the default (not Go's handling: os/signal.Reset
// restores the Go runtime's handler, which ignores a SIGPIPE sent by
// kill, and a signal ignored at start stays ignored), the signal unblocked,
// then raised. It returns only if all that failed to kill the process.
func DieOfSignal(sig syscall.Signal) error {
	// The unblock applies to this thread, so the raise must target it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if sig != syscall.SIGKILL {
		if err := setDefaultAction(sig); err != nil {
			return err
		}
		if err := unblockSignal(sig); err != nil {
			return err
		}
	}
	if err := unix.Tgkill(unix.Getpid(), unix.Gettid(), sig); err != nil {
		return fmt.Errorf("raise: %w", err)
	}
	return nil
}

// kernelSigsetSize is the kernel's sigset_t size for the 64 signals of
// every Linux architecture but MIPS (where these calls then fail with
// EINVAL and the client reports it).
const kernelSigsetSize = 8

// setDefaultAction sets sig's action to SIG_DFL with rt_sigaction. An all
// zero struct sigaction is SIG_DFL with no flags and an empty mask on every
// architecture.
func setDefaultAction(sig syscall.Signal) error {
	var act kernelSigaction
	if err := sigaction(sig, &act, nil); err != nil {
		return fmt.Errorf("set default action: %w", err)
	}
	return nil
}

// kernelSigaction holds a struct sigaction as the kernel reads and writes
// it; it is larger than any kernel's.
type kernelSigaction [8]uint64

// sigaction sets sig's action to act, when act is not nil, and stores the
// previous one in old, when old is not nil.
func sigaction(sig syscall.Signal, act, old *kernelSigaction) error {
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), kernelSigsetSize, 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// unblockSignal unblocks sig for the calling thread.
func unblockSignal(sig syscall.Signal) error {
	set := uint64(1) << (uint(sig) - 1)
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&set)), 0, kernelSigsetSize, 0, 0); errno != 0 {
		return fmt.Errorf("unblock: %w", errno)
	}
	return nil
}

// fatalSignals are the signals whose default action ends a process and
// that a caller sends to end a script (directly or forwarded).
var fatalSignals = []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// FatalSignalsByDefault gives SIGINT, SIGTERM, SIGHUP and SIGQUIT their
// default actions, unless they are ignored. The processes that run a Lua
// script use it, so that a script ends on them exactly as a C program
// does:
//
//   - at once: the Go runtime's own handler for SIGINT, SIGTERM and SIGHUP
//     also dies of the signal, but from a signal handler on some thread,
//     while the script's thread may go on a little (finish an os.execute
//     whose child the same signal ended, print, and exit 0);
//   - of the signal: the Go runtime answers SIGQUIT (Ctrl-\) by printing
//     every goroutine's stack on stderr, the caller's terminal, and exiting
//     2, where a program dies of SIGQUIT.
//
// Should rt_sigaction fail (only on architectures this code does not
// know), Go's handling stays.
func FatalSignalsByDefault() {
	for _, sig := range fatalSignals {
		var old kernelSigaction
		if sigaction(sig, nil, &old) == nil && old[0] != sigIgn {
			_ = setDefaultAction(sig)
		}
	}
}

// sigIgn is SIG_IGN, the handler field of an ignored signal's action.
const sigIgn = 1

// ResetIgnoredSignals sets those of sigs that are ignored back to their
// default action, so that the processes this one starts do not inherit the
// ignoring. A server needs it: it inherits the ignored signals of the call
// that started it (a background job's SIGINT, nohup's SIGHUP), and would
// pass them on to the executors of every later call, deaf to what those
// callers forward.
func ResetIgnoredSignals(sigs ...syscall.Signal) error {
	for _, sig := range sigs {
		var old kernelSigaction
		if err := sigaction(sig, nil, &old); err != nil {
			return fmt.Errorf("read the action of %v: %w", sig, err)
		}
		if old[0] != sigIgn {
			continue
		}
		if err := setDefaultAction(sig); err != nil {
			return fmt.Errorf("%v: %w", sig, err)
		}
	}
	return nil
}
