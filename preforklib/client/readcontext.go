package client

import (
	"fmt"
	"os"
	"strconv"
	"strings"

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

// readCallContextAsync starts ReadCallContext, which may start a child
// (nofile.go), so that it runs while the client connects, and returns a
// function that waits for its result.
func readCallContextAsync() func() (preforklib.CallContext, error) {
	var c preforklib.CallContext
	var err error
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

// readUmask reads the file mode creation mask without changing it, from
// /proc/self/status (Linux 4.7 and later); else by setting it and back.
func readUmask() (uint32, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				mask, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
				if err != nil {
					return 0, fmt.Errorf("read the umask from /proc/self/status: %q: %w", line, err)
				}
				return uint32(mask), nil
			}
		}
	}
	// The client creates no files meanwhile, so the brief change is
	// harmless.
	mask := unix.Umask(0)
	unix.Umask(mask)
	return uint32(mask), nil
}
