package reexec

import (
	"fmt"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// StopSelf stops the process as SIGTSTP's default action does, so that a
// job-control shell sees its job stop (and reports it as stopped, not as
// "Stopped (signal)"), and returns once the process has been continued
// (the shell's fg or bg). The action that was set for SIGTSTP, Go's own
// handler while signal.Notify catches it, is put back afterwards.
//
// When the process group is orphaned the kernel discards the signal
// instead (nobody could continue the job), and StopSelf returns at once.
func StopSelf() error {
	// The signal is sent to this thread, which has it unblocked; the
	// kernel stops the whole process on this thread's way back from the
	// system call, so tgkill returns only after the stop.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var dfl, old kernelSigaction
	if err := sigaction(syscall.SIGTSTP, &dfl, &old); err != nil {
		return fmt.Errorf("stop: set the default action of SIGTSTP: %w", err)
	}
	defer sigaction(syscall.SIGTSTP, &old, nil)
	if err := unblockSignal(syscall.SIGTSTP); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	if err := unix.Tgkill(unix.Getpid(), unix.Gettid(), syscall.SIGTSTP); err != nil {
		return fmt.Errorf("stop: raise SIGTSTP: %w", err)
	}
	return nil
}
