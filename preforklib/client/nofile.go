package client

import (
	"os"
	"runtime"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"

	"golang.org/x/sys/unix"
)

// The Go runtime raises its own soft RLIMIT_NOFILE to the hard limit (less
// one) as it starts, and restores the original in every child it starts;
// the original is kept only in an unexported variable of package syscall.
// A cold run's children (os.execute, io.popen) get that original, so it is
// what a call must carry. When the soft limit is not hard-1, Go left it
// alone and it is the original. Otherwise this process starts a child
// and reads the child's limit: the child is stopped by ptrace right after
// its execve, before it runs a single instruction, read with prlimit and
// killed. That costs about a fork and an exec (some 0.2 ms), and runs while
// the client connects.

// NofileProbeMain runs the nofile-probe role, which never runs as luapf
// starts it: the probe is stopped before its first instruction and killed.
// Started by hand, it says what it is for and exits.
func NofileProbeMain(argv []string) int {
	preforklib.Say(os.Stderr, "the %s role is started by a luapf client, stopped by ptrace before it runs, to read the "+
		"RLIMIT_NOFILE its children get; it is not meant to be run by hand", reexec.RoleNofileProbe)
	return preforklib.ExitLuapfError
}

// startingNofile returns the RLIMIT_NOFILE this process was started with;
// ok is false when it cannot be found (ptrace refused, say).
func startingNofile() (lim unix.Rlimit, ok bool) {
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return lim, false
	}
	if lim.Max == 0 || lim.Cur != lim.Max-1 {
		return lim, true
	}
	return probeNofile()
}

// probeNofile reads the RLIMIT_NOFILE this process gives its children.
func probeNofile() (lim unix.Rlimit, ok bool) {
	// The tracer of a child started with Ptrace is the thread that
	// started it; Pdeathsig too is tied to that thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec(reexec.SelfExe, []string{reexec.RoleArgv0(reexec.RoleNofileProbe)}, &syscall.ProcAttr{
		Env: []string{},
		Sys: &syscall.SysProcAttr{Ptrace: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		return lim, false
	}
	defer func() {
		syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
				return
			}
		}
	}()
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || !ws.Stopped() {
		return lim, false
	}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &lim); err != nil {
		return lim, false
	}
	return lim, true
}
