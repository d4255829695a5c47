package client

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
)

// The caller's process context, as the client reads it to send it to a
// server that offers preforklib.FeatureContext.

// ReadCallContext returns this process's context. RLIMIT_NOFILE is the
// soft limit this process was started with, not the one the Go runtime
// raised it to (startingNofile, below); it is left out if that cannot be found.
func ReadCallContext() (preforklib.CallContext, error) {
	c := preforklib.CallContext{Limits: map[string]unix.Rlimit{}}
	var err error
	if c.Umask, err = readUmask(); err != nil {
		return c, err
	}
	// The kernel's getpriority returns 20 - nice, so that it is positive.
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		return c, fmt.Errorf("read the nice value: %w", err)
	}
	c.Nice = 20 - prio
	for _, l := range preforklib.ContextLimits {
		var lim unix.Rlimit
		if l.Resource == unix.RLIMIT_NOFILE {
			var ok bool
			if lim, ok = startingNofile(); !ok {
				continue
			}
		} else if err := unix.Getrlimit(l.Resource, &lim); err != nil {
			return c, fmt.Errorf("read resource limit %s: %w", l.Name, err)
		}
		c.Limits[l.Name] = lim
	}
	return c, nil
}

// callContextReader returns a function that reads the caller's context
// once and then returns the same. When finding RLIMIT_NOFILE needs a child
// (probeNofile), the reading starts at once in the background, so that it
// runs while the client connects; otherwise it happens on the first call,
// which the client makes while the server prepares its greeting.
func callContextReader() func() (preforklib.CallContext, error) {
	var c preforklib.CallContext
	var err error
	if nofileNeedsProbe() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err = ReadCallContext()
		}()
		return func() (preforklib.CallContext, error) {
			<-done
			return c, err
		}
	}
	var once sync.Once
	return func() (preforklib.CallContext, error) {
		once.Do(func() { c, err = ReadCallContext() })
		return c, err
	}
}

// readUmask reads the file mode creation mask by setting it and back: two
// system calls, where reading /proc/self/status costs the kernel a whole
// report. The client creates no files meanwhile (nor does any goroutine
// of its own), so the brief change is harmless.
func readUmask() (uint32, error) {
	mask := unix.Umask(0)
	unix.Umask(mask)
	return uint32(mask), nil
}

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

// nofileNeedsProbe reports whether startingNofile will start a child.
func nofileNeedsProbe() bool {
	var lim unix.Rlimit
	return unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Max != 0 && lim.Cur == lim.Max-1
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
