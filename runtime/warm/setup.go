package warm

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
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
// the initialisation prints goes to the caller's stderr (the protocol gives
// setup the client's stderr as stdout and stderr).
func SetupMain(argv []string) int {
	reexec.FatalSignalsByDefault()
	files, err := takeSetupFiles()
	if err != nil {
		fmt.Fprintf(os.Stderr, "luapf: %v\n", err)
		return exitLuapfError
	}
	if len(argv) < 2 {
		fmt.Fprintf(os.Stderr, "luapf: started to set up a server, but no script was named\n")
		return exitLuapfError
	}
	interpreter, script, args := argv[0], argv[1], argv[2:]
	it := newInterp(modeSetup)
	defer it.close()
	it.onComplete = func(it *interp, opts Options) error {
		return startServer(it, files, script, opts)
	}
	if err := it.startScript(interpreter, script, args); err != nil {
		fmt.Fprintf(os.Stderr, "luapf: %v\n", err)
		return exitLuaError
	}
	if status := it.run(it.main, stringValues(args)); status != exitOK {
		return status
	}
	fmt.Fprintf(os.Stderr, "luapf: %s ended without calling prefork.initialisation_complete(), so there is nothing to keep warm; "+
		"call it once its initialisation is done, or run it with luapf --standalone\n", script)
	return exitLuapfError
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
		{env.Listen, "listening socket", &s.listen},
		{env.Call, "initial call socket", &s.call},
		{env.WatchIn, "watcher stdin pipe", &s.watchIn},
		{env.WatchErr, "watcher stderr pipe", &s.watchErr},
	} {
		if *d.dst, err = inheritedFile("setup", d.fd, d.name+" (from "+preforklib.EnvPreforkInterp+")"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// startServer captures the state and starts the server, and exits: 0 once
// the server is ready, 127 with luapf's message if it cannot be started (a
// full disk, say: luapf's failure, not a Lua error at the script's line).
// It returns only the error of a state that cannot be captured, or of an
// initialisation that read more environment than can be tracked
// (dependencies.go), which is raised at the script's
// initialisation_complete.
func startServer(it *interp, files *setupFiles, script string, opts Options) error {
	state, err := snapshot.Capture(it.L, it.captureConfig())
	if err != nil {
		return err
	}
	meta := ImageMeta{
		Script: script, Options: opts, Watch: watchList(it, script, opts),
		Reference: files.env.Mtime().UnixNano(), InitialLuapfClient: files.env.LuapfClient,
	}
	if err := it.describeDependencies(&meta); err != nil {
		return err
	}
	err = launchServer(files, &Image{Meta: meta, State: state})
	it.flushStdio()
	if err != nil {
		fmt.Fprintf(os.Stderr, "luapf: %v\n", err)
		os.Exit(exitLuapfError)
	}
	os.Exit(exitOK)
	return nil
}

// launchServer writes the image and starts the server with it and the
// client's descriptors, and waits until the server is ready.
func launchServer(files *setupFiles, im *Image) error {
	script := im.Meta.Script
	image, err := writeSealedImage(im)
	if err != nil {
		return err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	cmd := reexec.RoleCommand(RoleServer, script)
	cmd.ExtraFiles = []*os.File{files.listen, files.call, files.watchIn, files.watchErr, image, readyW}
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

// watchList is what makes the server reload: the script, the files the
// initialisation read (autoreload_inc), autoreload_extra, the files given
// to autoreload_also_check, and the luapf executable itself.
func watchList(it *interp, script string, opts Options) []string {
	var list []string
	add := func(path string) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		for _, p := range list {
			if p == path {
				return
			}
		}
		list = append(list, path)
	}
	add(script)
	if opts.AutoreloadInc {
		for _, p := range it.loaded {
			add(p)
		}
	}
	for _, p := range opts.AutoreloadExtra {
		add(p)
	}
	for _, p := range it.alsoCheck {
		add(p)
	}
	if exe, err := os.Executable(); err == nil {
		add(exe)
	}
	return list
}
