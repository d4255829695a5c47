package client

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
)

// The caller's process context, as the client reads it to send it to a
// server that offers preforklib.FeatureContext.

// ReadCallContext returns this process's context. RLIMIT_NOFILE is the
// soft limit this process was started with, not the one the Go runtime
// raised it to (nofile.go); it is left out if that cannot be found.
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
// (nofile.go), the reading starts at once in the background, so that it
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
