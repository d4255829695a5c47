package executor

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
	"luapf/runtime/lua"
)

// prepareCall makes this executor's process what a cold run of the script
// would be by the time the initialisation is done, once the caller's files
// and environment are taken: the initialisation's os.setenv calls on top of
// the caller's environment, and the caller's umask, resource limits and
// nice value when its client sent them (preforklib.FeatureContext). What
// cannot be matched is said on warn, the caller's stderr, one line each.
func prepareCall(it *lua.Interp, req *preforklib.Request, warn io.Writer) {
	applyInitEnv(it.InitEnv)
	value, ok := req.Ext[preforklib.FeatureContext]
	if !ok {
		return // a v1 client (chiark's C client): the server's context stays
	}
	c, err := preforklib.ParseCallContext(value)
	if err != nil {
		preforklib.Say(warn, "warning: the caller's umask, limits and nice value are not applied: %v", err)
		return
	}
	applyCallContext(c, warn)
}

// applyCallContext sets this process's umask, resource limits and nice value
// to c's.
func applyCallContext(c preforklib.CallContext, warn io.Writer) {
	unix.Umask(int(c.Umask))
	for _, l := range preforklib.ContextLimits {
		if lim, ok := c.Limits[l.Name]; ok {
			applyLimit(l, lim, warn)
		}
	}
	applyNice(c.Nice, warn)
}

// applyLimit sets a resource limit to the caller's soft and hard values.
// An executor that may not raise its hard limit to the caller's (it
// inherited a lower one from whoever started the server, and raising needs
// privilege) keeps its own hard limit; if the caller's soft limit is above
// it, the call runs with the soft limit at that hard limit, and says so.
// Going through package syscall matters for RLIMIT_NOFILE: it makes the
// Go runtime give children this limit instead of the one it started with.
func applyLimit(l preforklib.ContextLimit, want unix.Rlimit, warn io.Writer) {
	var own syscall.Rlimit
	if err := syscall.Getrlimit(l.Resource, &own); err != nil {
		preforklib.Say(warn, "warning: cannot apply the caller's %s limit: %v", l.Name, err)
		return
	}
	lim := syscall.Rlimit{Cur: want.Cur, Max: want.Max}
	if lim == own && l.Resource != unix.RLIMIT_NOFILE {
		return // the usual case; RLIMIT_NOFILE is set anyway, for children
	}
	if syscall.Setrlimit(l.Resource, &lim) == nil {
		return
	}
	lim.Max = own.Max
	if lim.Cur > own.Max {
		lim.Cur = own.Max
		preforklib.Say(warn, "warning: the caller's soft %s limit %s is above the server's hard limit %s; "+
			"running with %s (luapf -f starts a server with the caller's limits)",
			l.Name, preforklib.FormatLimit(want.Cur), preforklib.FormatLimit(own.Max), preforklib.FormatLimit(own.Max))
	}
	if err := syscall.Setrlimit(l.Resource, &lim); err != nil {
		preforklib.Say(warn, "warning: cannot apply the caller's %s limit: %v", l.Name, err)
	}
}

// applyNice gives every thread of this process the caller's nice value
// (Linux keeps one per thread, and a child inherits that of the thread
// that starts it; threads started later inherit it from these). Raising
// the priority above the server's needs privilege (or RLIMIT_NICE); without
// it the call runs at the server's nice value, and says so.
func applyNice(nice int, warn io.Writer) {
	// Nothing in an executor changes a thread's nice value, so all have
	// the one this thread has.
	if prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0); err == nil && 20-prio == nice {
		return
	}
	done := map[int]bool{}
	for round := 0; round < 4; round++ { // until no thread was started meanwhile
		changed, refused := false, 0
		err := reexec.EachThread(func(tid int) error {
			if done[tid] {
				return nil
			}
			done[tid], changed = true, true
			err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice)
			if err != nil && err != unix.ESRCH { // ESRCH: the thread has exited
				refused = tid
				return err
			}
			return nil
		})
		switch {
		case err != nil && refused != 0:
			own, _ := unix.Getpriority(unix.PRIO_PROCESS, refused)
			preforklib.Say(warn, "warning: cannot run at the caller's nice value %d: %v; running at the server's %d "+
				"(luapf -f starts a server at the caller's)", nice, err, 20-own)
			return
		case err != nil:
			preforklib.Say(warn, "warning: cannot apply the caller's nice value %d: %v", nice, err)
			return
		case !changed:
			return
		}
	}
}

// applyInitEnv sets what the initialisation set with os.setenv on top of
// the caller's environment.
func applyInitEnv(settings []lua.EnvSetting) {
	for _, s := range settings {
		os.Setenv(s.Name, s.Value)
	}
}
