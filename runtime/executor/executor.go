package executor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
	"luapf/preforklib/reexec"
	"luapf/runtime/image"
	"luapf/runtime/lua"
	"luapf/runtime/snapshot"
)

// Main runs the executor role: restore the snapshot, wait for one
// call on the control socket, take the caller's files as fds 0, 1 and 2 and
// its environment, and continue the script. Its exit is the call's status.
// Restoring happens before the call arrives when the executor is pooled.
// mods are the binary's Go modules (runtime/lua.Modules): the snapshot
// refers to what their loaders made by path.
func Main(argv []string, mods lua.Modules) int {
	trace := calltrace.FromEnv(reexec.RoleExecutor)
	trace.MarkDetail(calltrace.ExecutorStart, calltrace.SelfUsage())
	reexec.FatalSignalsByDefault()
	defaultProcs := reexec.ExecutorDefaultProcs()
	files, err := reexec.ExecutorLayout.Inherit()
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	control, err := reexec.UnixConn(reexec.RoleExecutor, files[reexec.ExecutorFdControl])
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	// A crash of the Go runtime goes to fd 2 and, through this, to the
	// server, which then ends the call with status 127 (runtime/server's
	// crash.go).
	crash := files[reexec.ExecutorFdCrash]
	if err := debug.SetCrashOutput(crash, debug.CrashOptions{}); err != nil {
		preforklib.Say(os.Stderr, "executor: send crash reports to the server: %v", err)
	}
	crash.Close()
	it, cont, meta, restoreErr := restoreImage(files[reexec.ExecutorFdImage], mods)
	trace.MarkDetail(calltrace.ExecutorRestored, calltrace.SelfUsage())

	c, req, err := awaitCall(control, &meta, trace)
	trace.MarkDetail(calltrace.ExecutorCall, calltrace.SelfUsage())
	if err != nil {
		if errors.Is(err, preforklib.ErrPeerGone) {
			return lua.ExitOK // the server let an unused pooled executor go
		}
		return reportFailure(control, fmt.Sprintf("executor: receive call: %v", err))
	}
	if err := takeCall(req); err != nil {
		return c.fail("executor: %v", err)
	}
	// From here on, stderr is the caller's.
	if restoreErr != nil {
		return c.fail("cannot continue the script: %v", restoreErr)
	}
	prepareCall(it, req, os.Stderr)
	if len(req.Argv) < 2 {
		return c.fail("the call names no script (argv %q)", req.Argv)
	}
	interpreter, script, scriptArgs := req.Argv[0], req.Argv[1], req.Argv[2:]
	if arg := cont.Arg(); arg != nil {
		lua.ResetArg(arg, interpreter, script, scriptArgs)
	}
	// It started with one P; the call gets its own count if it runs long
	// enough to use it (reexec/procs.go).
	procs := reexec.SetCallProcsAfter(defaultProcs, reexec.CallProcsDelay)
	it.BeforeExit = func(code int) {
		procs.Stop()
		trace.MarkDetail(calltrace.ExecutorExit, calltrace.SelfUsage())
		c.exit(code)
		trace.Mark(calltrace.ExecutorReported)
	}
	trace.Mark(calltrace.ExecutorScript)
	it.Exit(it.Run(cont.Function(), cont.Args(lua.StringValues(scriptArgs)...)))
	return lua.ExitOK // not reached
}

// restoreImage maps the image and restores its state into a new
// interpreter. The server validated the image before serving it, and the
// memfd is sealed, so the restore trusts it. Restoring is lazy: objects
// are made and tables loaded as the call uses them, so there is little to
// collect, and nothing is collected ahead of the call. An eager restore
// (image.RestoreMode) builds everything with collection held off, then
// collects once, so that the heap goal is set from the restored heap rather
// than paid for by the call's first allocations.
//
// It returns the image's metadata too: what a call's environment must
// match and which files must not have changed (awaitCall).
func restoreImage(f *os.File, mods lua.Modules) (*lua.Interp, *snapshot.Continuation, image.Meta, error) {
	var meta image.Meta
	im, err := image.Map(f)
	f.Close()
	if err != nil {
		return nil, nil, meta, err
	}
	meta = im.Meta
	eager, err := image.RestoreMode()
	if err != nil {
		return nil, nil, meta, err
	}
	it, err := lua.NewInterp(lua.ModeExecutor, mods)
	if err != nil {
		return nil, nil, meta, err
	}
	it.InitEnv = im.Meta.InitEnv
	if !eager {
		cont, err := snapshot.Restore(it.L, im.State, it.RestoreOptions(false))
		if err != nil {
			return nil, nil, meta, fmt.Errorf("%s: %w", im.Meta.Script, err)
		}
		return it, cont, meta, nil
	}
	old := debug.SetGCPercent(-1)
	cont, err := snapshot.Restore(it.L, im.State, it.RestoreOptions(true))
	debug.SetGCPercent(old)
	runtime.GC()
	if err != nil {
		return nil, nil, meta, fmt.Errorf("%s: %w", im.Meta.Script, err)
	}
	return it, cont, meta, nil
}

// takeCall makes the caller's files this process's fds 0, 1 and 2, the
// caller's working directory its own (when the client sent it:
// preforklib.FeatureCwd) and the caller's environment its environment
// (without PREFORK_INTERP, which must never reach a script).
func takeCall(req *preforklib.Request) error {
	for fd, f := range []*os.File{req.Stdin, req.Stdout, req.Stderr} {
		if err := dupOnto(f, fd); err != nil {
			return fmt.Errorf("take the caller's fd %d: %w", fd, err)
		}
	}
	if req.Cwd != nil {
		if err := preforklib.Chdir(req.Cwd); err != nil {
			return err
		}
	}
	req.Close()
	setCallEnv(req.Env)
	return nil
}

// dupOnto makes fd a duplicate of f, inheritable by the script's children.
// It reads f's descriptor through SyscallConn rather than Fd, which would
// switch the caller's open file (shared with us) to blocking mode.
func dupOnto(f *os.File, fd int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var dupErr error
	err = rc.Control(func(src uintptr) {
		if int(src) == fd {
			_, dupErr = unix.FcntlInt(src, unix.F_SETFD, 0)
			return
		}
		dupErr = unix.Dup3(int(src), fd, 0)
	})
	if err != nil {
		return err
	}
	return dupErr
}

// reportFailure tells the server why the executor cannot run its call
// (preforklib.WriteFailureReport). It returns the exit status.
func reportFailure(control net.Conn, msg string) int {
	preforklib.WriteFailureReport(control, msg)
	return preforklib.ExitLuapfError
}
