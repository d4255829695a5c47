package client

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
	"luapf/preforklib/watcher"
)

// Starting a new server (docs/protocol.md, client algorithm step 3): bind a
// fresh listening socket, start its watcher, run the interpreter as setup
// with PREFORK_INTERP naming the inherited descriptors, wait for setup to
// daemonise, and take the greeting of the initial call on a socket pair.
// The caller holds the server's lock throughout.

// setupExitError reports that setup ended without starting a server: it
// did not exit 0, or the script ended without calling initialisation
// complete (preforklib.FeatureEnded). The script has run as a cold run
// would, so the client ends the way setup ended.
type setupExitError struct{ status uint32 }

func (e *setupExitError) Error() string {
	return fmt.Sprintf("setup ended with wait status 0x%x", e.status)
}

// spawnServer starts a server for inv at sockPath and returns the client
// end of its initial call, with the greeting read. Failures before setup
// starts are marked unavailable (fallback.go).
func spawnServer(inv *Invocation, sockPath string) (conn *callConn, ext []byte, err error) {
	started := false // setup runs: the script's initialisation may have begun
	defer func() {
		if err != nil && !started {
			err = unavailable(err)
		}
	}()
	if err := os.Remove(sockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("remove stale socket: %w", err)
	}
	listener, id, mtime, err := listenUnix(sockPath)
	if err != nil {
		return nil, nil, err
	}
	// The deferred closes are for the error paths: on the way to success
	// each file is closed as soon as setup has its copy (a second Close
	// only returns an error nobody reads).
	defer listener.Close()
	defer func() {
		if err != nil { // nothing serves the socket: leave no trap for the next client
			os.Remove(sockPath)
		}
	}()
	w, err := watcher.Start(sockPath, id)
	if err != nil {
		return nil, nil, err
	}
	defer w.Close()
	callClient, callServer, err := socketPair()
	if err != nil {
		return nil, nil, err
	}
	defer callServer.Close()
	defer func() {
		if err != nil {
			callClient.Close()
		}
	}()

	env := preforklib.SetupEnv{
		MtimeSec: mtime.Sec, MtimeNsec: mtime.Nsec,
		Listen: reexec.SetupFdListen, Call: reexec.SetupFdCall, WatchIn: reexec.SetupFdWatchIn, WatchErr: reexec.SetupFdWatchErr,
		LuapfClient: true,
	}
	extra, err := reexec.SetupLayout.ExtraFiles(map[int]*os.File{
		reexec.SetupFdListen:   listener,
		reexec.SetupFdCall:     callServer,
		reexec.SetupFdWatchIn:  w.WatchIn,
		reexec.SetupFdWatchErr: w.WatchErr,
	})
	if err != nil {
		return nil, nil, err
	}
	cmd, devNull, err := setupCommand(inv, env, extra)
	if err != nil {
		return nil, nil, err
	}
	err = cmd.Start()
	if devNull != nil {
		devNull.Close() // setup's stdin: only setup needs it
	}
	if err != nil {
		return nil, nil, fmt.Errorf("start setup %s: %w", inv.Interpreter[0], err)
	}
	started = true
	// Only setup, and the server it becomes, may hold these now: the
	// watcher and the server must see each other go, and the initial
	// call must end in end of file if setup exits without a server.
	listener.Close()
	callServer.Close()
	w.Close()

	if err := cmd.Wait(); err != nil {
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok {
			return nil, nil, fmt.Errorf("wait for setup %s: %w", inv.Interpreter[0], err)
		}
		return nil, nil, &setupExitError{status: uint32(ws)}
	}
	ext, err = preforklib.ReadGreeting(callClient)
	if offer, ok := preforklib.ParseOffer(ext); err == nil && ok && offer.Has(preforklib.FeatureEnded) {
		return nil, nil, &setupExitError{status: 0}
	}
	if errors.Is(err, preforklib.ErrNoGreeting) {
		return nil, nil, fmt.Errorf("setup of %s exited without starting a server (did the script call initialisation complete?)", scriptName(inv))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("initial call of %s: %w", scriptName(inv), err)
	}
	return callClient, ext, nil
}

func scriptName(inv *Invocation) string {
	if inv.HasScript {
		return inv.Script
	}
	return inv.Interpreter[0]
}

// setupCommand prepares the interpreter run as setup: the invocation's
// argv, PREFORK_INTERP set, its standard files, and extra as descriptors 3
// onwards. Nothing else is inherited: everything else the client has open
// is close-on-exec, the lock included.
//
// Under luapf's syntax setup gets the caller's stdin, stdout and stderr, so
// that the spawning call is a cold run up to initialisation_complete: what
// the initialisation prints goes where a cold run's would, and a script
// that never calls it runs exactly as cold. (luapf's setup leaves none of
// them to the server it starts.) As prefork-interp it gets what chiark's C
// client gives it: stdin /dev/null and the client's stderr as stdout and
// stderr. The /dev/null file is returned for the caller to close once
// setup has started; it is nil when not used.
func setupCommand(inv *Invocation, env preforklib.SetupEnv, extra []*os.File) (*exec.Cmd, *os.File, error) {
	argv := inv.Argv()
	cmd := exec.Command(argv[0], argv[1:]...)
	// Found through a relative PATH entry: the C client's execvp runs it,
	// and so do we.
	if errors.Is(cmd.Err, exec.ErrDot) {
		cmd.Err = nil
	}
	cmd.Args = argv
	cmd.Env = append(withoutVar(os.Environ(), preforklib.EnvPreforkInterp), preforklib.EnvPreforkInterp+"="+env.String())
	cmd.ExtraFiles = extra
	if inv.Syntax == SyntaxLuapf {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		return cmd, nil, nil
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, nil, fmt.Errorf("open setup's stdin: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devNull, os.Stderr, os.Stderr
	return cmd, devNull, nil
}

// withoutVar returns env without entries for the variable name.
func withoutVar(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
