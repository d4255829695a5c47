package server

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
	"luapf/runtime/image"
	"luapf/runtime/lua"
	"luapf/runtime/snapshot"
)

// setupFiles are the descriptors a client hands setup (PREFORK_INTERP).
type setupFiles struct {
	env                             preforklib.SetupEnv
	listen, call, watchIn, watchErr *os.File
}

// SetupMain runs the setup role: a client (luapf's or chiark's) started the
// interpreter with PREFORK_INTERP set to start a new server. It runs the
// script's initialisation; at prefork.initialisation_complete() it captures
// the state, starts the server with the inherited sockets and exits 0. What
// the initialisation prints goes to setup's stdout and stderr: luapf's
// client gives it the caller's standard files, chiark's C client its own
// stderr as both. mods are the binary's Go modules (runtime/lua.Modules).
//
// A script that ends without calling initialisation_complete has run as a
// cold run would: for luapf's client setup says so on the initial call
// (preforklib.FeatureEnded) and exits with the script's status, which the
// client passes on. Another client gets a message and status 127.
func SetupMain(argv []string, mods lua.Modules) int {
	reexec.FatalSignalsByDefault()
	files, err := takeSetupFiles()
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	if len(argv) < 2 {
		preforklib.Say(os.Stderr, "started to set up a server, but no script was named")
		return preforklib.ExitLuapfError
	}
	interpreter, script, args := argv[0], argv[1], argv[2:]
	it, err := lua.NewInterp(lua.ModeSetup, mods)
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	defer it.Close()
	it.OnComplete = func(it *lua.Interp, opts lua.Options) error {
		return startServer(it, files, script, opts)
	}
	// os.exit before initialisation_complete ends the script too.
	it.BeforeExit = func(int) { scriptEnded(files) }
	if err := it.StartScript(interpreter, script, args); err != nil {
		preforklib.Say(os.Stderr, "%v", err)
		scriptEnded(files)
		return lua.ExitLuaError
	}
	status := it.RunMain(args)
	scriptEnded(files)
	if status != lua.ExitOK || files.env.LuapfClient {
		return status
	}
	preforklib.Say(os.Stderr, "%s ended without calling prefork.initialisation_complete(), so there is nothing to keep warm; "+
		"call it once its initialisation is done, or run it with luapf --standalone", script)
	return preforklib.ExitLuapfError
}

// scriptEnded tells a luapf client that the script ended without a server
// (preforklib.FeatureEnded); other clients learn it from the end of file
// when setup exits. If the client has gone, there is nobody to tell.
func scriptEnded(files *setupFiles) {
	if files.env.LuapfClient {
		ended := preforklib.Offer{Features: []string{preforklib.FeatureEnded}}
		_ = preforklib.WriteGreeting(files.call, ended.Encode())
	}
}

// takeSetupFiles parses PREFORK_INTERP, removes it from the environment so
// that nothing the script starts inherits it, and takes the descriptors it
// names.
func takeSetupFiles() (*setupFiles, error) {
	value := os.Getenv(preforklib.EnvPreforkInterp)
	os.Unsetenv(preforklib.EnvPreforkInterp)
	env, err := preforklib.ParseSetupEnv(value)
	if err != nil {
		return nil, err
	}
	s := &setupFiles{env: env}
	for _, d := range []struct {
		fd   int
		name string
		dst  **os.File
	}{
		{env.Listen, reexec.SetupLayout.Name(reexec.SetupFdListen), &s.listen},
		{env.Call, reexec.SetupLayout.Name(reexec.SetupFdCall), &s.call},
		{env.WatchIn, reexec.SetupLayout.Name(reexec.SetupFdWatchIn), &s.watchIn},
		{env.WatchErr, reexec.SetupLayout.Name(reexec.SetupFdWatchErr), &s.watchErr},
	} {
		if *d.dst, err = reexec.InheritedFile(reexec.RoleSetup, d.fd, d.name+" named by "+preforklib.EnvPreforkInterp); err != nil {
			return nil, err
		}
	}
	// Only the server uses the sockets, but setup, whose stderr is the
	// client's, is where a mistake can be told to the caller.
	if err := reexec.CheckUnixStream(reexec.RoleSetup, s.listen, true); err != nil {
		return nil, err
	}
	if err := reexec.CheckUnixStream(reexec.RoleSetup, s.call, false); err != nil {
		return nil, err
	}
	return s, nil
}

// startServer captures the state and starts the server, and exits: 0 once
// the server is ready, 127 with luapf's message if it cannot be started (a
// full disk, say: luapf's failure, not a Lua error at the script's line).
// It returns only the error of a state that cannot be captured, or of an
// initialisation that read more environment than can be tracked
// (lua.Interp.Dependencies), which is raised at the script's
// initialisation_complete.
func startServer(it *lua.Interp, files *setupFiles, script string, opts lua.Options) error {
	state, err := snapshot.Capture(it.L, it.CaptureConfig())
	if err != nil {
		return err
	}
	meta := image.Meta{
		Script: script, Options: opts, Watch: it.WatchList(script, opts),
		Reference: files.env.Mtime().UnixNano(), InitialLuapfClient: files.env.LuapfClient,
	}
	deps, err := it.Dependencies()
	if err != nil {
		return err
	}
	meta.EnvNames, meta.EnvDigest, meta.InitEnv = deps.EnvNames, deps.EnvDigest, deps.InitEnv
	if opts.AutoreloadInc {
		meta.WatchAbsent = deps.Absent
	}
	err = launchServer(files, &image.Image{Meta: meta, State: state})
	it.FlushStdio()
	if err != nil {
		preforklib.Say(os.Stderr, "%v", err)
		os.Exit(preforklib.ExitLuapfError)
	}
	os.Exit(lua.ExitOK)
	return nil
}

// launchServer writes the image and starts the server with it and the
// client's descriptors, and waits until the server is ready.
func launchServer(files *setupFiles, im *image.Image) error {
	script := im.Meta.Script
	sealed, err := image.WriteSealed(im)
	if err != nil {
		return err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	defer readyR.Close()
	defer readyW.Close()
	cmd := reexec.Command(reexec.RoleServer, script)
	if cmd.ExtraFiles, err = reexec.ServerLayout.ExtraFiles(map[int]*os.File{
		reexec.ServerFdListen:   files.listen,
		reexec.ServerFdCall:     files.call,
		reexec.ServerFdWatchIn:  files.watchIn,
		reexec.ServerFdWatchErr: files.watchErr,
		reexec.ServerFdImage:    sealed,
		reexec.ServerFdReady:    readyW,
	}); err != nil {
		return err
	}
	// A daemon in its own session holding none of the caller's files: its
	// standard streams are /dev/null, its reports go to its log.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	readyW.Close()
	reply, _ := io.ReadAll(io.LimitReader(readyR, 64<<10))
	if string(reply) != "ok\n" {
		// The server has given up (it exits right after saying why):
		// wait for it, so that nothing of it outlives the failed call.
		state, waitErr := cmd.Process.Wait()
		msg := strings.TrimSpace(string(reply))
		if msg == "" {
			msg = "it exited before saying it was ready"
			if waitErr == nil {
				msg += " (" + state.String() + ")"
			}
		}
		return fmt.Errorf("the server for %s did not start: %s", script, msg)
	}
	return nil
}
