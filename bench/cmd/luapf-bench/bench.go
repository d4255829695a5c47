package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// bench is one run of the harness.
type bench struct {
	ctx   context.Context
	plan  plan
	repo  string
	sb    *sandbox
	tools tools
	procs *procScanner
	out   io.Writer // progress

	// Scripts whose servers may be running, to stop at the end.
	luapfScripts map[string]bool
	perlScripts  map[string]bool
	runs         int // hyperfine invocations, for file names
}

// setup builds the binaries, finds the peers and writes the workloads.
func (b *bench) setup() error {
	for _, bin := range []struct{ name, pkg string }{
		{"luapf", "./cmd/luapf"}, {"glua", "./bench/glua"}, {"gohello", "./bench/gohello"},
	} {
		cmd := exec.CommandContext(b.ctx, "go", "build", "-trimpath", "-o", filepath.Join(b.sb.bin, bin.name), bin.pkg)
		cmd.Dir = b.repo
		// Static, as make build makes luapf: the floors and gopher-lua
		// contender are built the same way, so start-up is compared fairly.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", bin.pkg, err, out)
		}
	}
	if err := b.buildStockGlua(); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the harness binary: %w", err)
	}
	// hyperfine splits its --prepare command at spaces: run the helper
	// from a path without any.
	b.tools.self = filepath.Join(b.sb.bin, "luapf-bench")
	if err := copyFile(self, b.tools.self); err != nil {
		return err
	}
	b.tools.luapf = filepath.Join(b.sb.bin, "luapf")
	b.tools.glua = filepath.Join(b.sb.bin, "glua")
	b.tools.gohello = filepath.Join(b.sb.bin, "gohello")
	for _, t := range []struct {
		dst  *string
		name string
		hint string
	}{
		{&b.tools.lua54, "lua5.4", "apt-get install lua5.4"},
		{&b.tools.luajit, "luajit", "apt-get install luajit"},
		{&b.tools.preforkInterp, "prefork-interp", "apt-get install chiark-utils-bin chiark-scripts libio-fdpass-perl"},
		{&b.tools.perl, "perl", "apt-get install perl"},
		{&b.tools.hyperfine, "hyperfine", "apt-get install hyperfine"},
		{&b.tools.truth, "true", "coreutils"},
	} {
		path, err := exec.LookPath(t.name)
		if err != nil {
			return fmt.Errorf("%s is not installed (%s; or run install-peers.sh): %w", t.name, t.hint, err)
		}
		*t.dst = path
	}
	if _, err := os.Stat("/bin/true"); err == nil {
		b.tools.truth = "/bin/true"
	}
	files := workloadFiles(b.plan)
	for _, more := range []map[string]string{moduleFiles(b.plan), scalingFiles(b.plan), touchFiles(b.plan)} {
		for k, v := range more {
			files[k] = v
		}
	}
	return writeFiles(b.sb.work, files)
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// command returns a command run in the sandbox: its HOME, its working
// directory.
func (b *bench) command(argv []string) *exec.Cmd {
	cmd := exec.CommandContext(b.ctx, argv[0], argv[1:]...)
	cmd.Env = b.sb.env
	cmd.Dir = b.sb.work
	return cmd
}

// callTimeout bounds any single run of a contender: a hang is a failure.
const callTimeout = 2 * time.Minute

// probe runs argv once and returns what it printed and how long it took.
// Any output on stderr or a non-zero exit is an error.
func (b *bench) probe(argv []string) (string, time.Duration, error) { return b.probeEnv(argv, nil) }

// probeEnv is probe with extra environment (NAME=value).
func (b *bench) probeEnv(argv, env []string) (string, time.Duration, error) {
	b.note(argv)
	ctx, cancel := context.WithTimeout(b.ctx, callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = append(append([]string(nil), b.sb.env...), env...), b.sb.work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil || stderr.Len() > 0 {
		return "", d, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), d, nil
}

// note remembers the scripts whose servers a command may start.
func (b *bench) note(argv []string) {
	switch {
	case argv[0] == b.tools.luapf && len(argv) > 1 && !strings.HasPrefix(argv[1], "-"):
		b.luapfScripts[argv[1]] = true
	case argv[0] == b.tools.preforkInterp && len(argv) > 3 && argv[1] == "-U":
		b.perlScripts[argv[3]] = true
	}
}

// hyperfineExport is the part of hyperfine's --export-json we read.
type hyperfineExport struct {
	Results []struct {
		Command   string    `json:"command"`
		Times     []float64 `json:"times"`
		ExitCodes []*int    `json:"exit_codes"`
	} `json:"results"`
}

// measure times argv with hyperfine in regime r, with extra environment
// env: warmup runs, then runs measured runs. It returns the seconds of each
// measured run.
func (b *bench) measure(argv, env []string, r regime, runs, warmup int) ([]float64, error) {
	b.note(argv)
	b.runs++
	export := filepath.Join(b.sb.logs, fmt.Sprintf("hyperfine-%03d.json", b.runs))
	args := []string{"-N", "--style", "none", "--warmup", strconv.Itoa(warmup), "--runs", strconv.Itoa(runs), "--export-json", export}
	quiesce := []string{b.tools.self, "quiesce", "-home", b.sb.home, "-root", b.sb.root, "-idle-log", b.idleLog(), "-idle-budget", b.plan.idleBudget.String()}
	switch r {
	case spaced:
		args = append(args, "--prepare", strings.Join(quiesce, " "))
	case spawning:
		args = append(args, "--prepare", strings.Join(append(quiesce, "-luapf", b.tools.luapf, "-kill", argv[1]), " "))
	}
	for _, a := range argv {
		if strings.ContainsAny(a, " \t'\"\\") {
			return nil, fmt.Errorf("cannot hand %q to hyperfine -N: it splits at spaces", a)
		}
	}
	args = append(args, strings.Join(argv, " "))
	cmd := b.command(append([]string{b.tools.hyperfine}, args...))
	cmd.Env = append(cmd.Env, env...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("hyperfine %s: %v\n%s", strings.Join(argv, " "), err, output.String())
	}
	data, err := os.ReadFile(export)
	if err != nil {
		return nil, fmt.Errorf("read hyperfine's export: %w", err)
	}
	var ex hyperfineExport
	if err := json.Unmarshal(data, &ex); err != nil {
		return nil, fmt.Errorf("parse %s: %w", export, err)
	}
	if len(ex.Results) != 1 || len(ex.Results[0].Times) != runs {
		return nil, fmt.Errorf("%s: expected one result of %d runs", export, runs)
	}
	for i, code := range ex.Results[0].ExitCodes {
		if code == nil || *code != 0 {
			return nil, fmt.Errorf("%s: run %d did not exit 0", strings.Join(argv, " "), i+1)
		}
	}
	return ex.Results[0].Times, nil
}

// idleLog is where the quiesce helper logs its waits for an idle machine.
func (b *bench) idleLog() string { return filepath.Join(b.sb.logs, "idle.log") }

// quiet waits until the sandbox is quiet (waitQuiet), for the harness's own
// measurements.
func (b *bench) quiet(gone ...string) error { return b.procs.waitQuiet(gone...) }

// stopServers stops every server the harness started, the polite way: by
// the clients' --kill, which removes the socket, so that each server's
// watcher tells it to quit.
func (b *bench) stopServers() error {
	var errs []error
	for script := range b.luapfScripts {
		if err := b.killLuapf(b.tools.luapf, script); err != nil {
			errs = append(errs, err)
		}
		delete(b.luapfScripts, script)
	}
	for script := range b.perlScripts {
		if _, _, err := b.probe([]string{b.tools.preforkInterp, "--kill", "-U", b.tools.perl, script}); err != nil {
			errs = append(errs, err)
		}
		delete(b.perlScripts, script)
	}
	return errors.Join(errs...)
}

// killLuapf runs luapf --kill script in the sandbox; luapf is the binary
// whose server it is (the interpreter is part of the server's ident).
func (b *bench) killLuapf(luapf, script string) error {
	cmd := exec.CommandContext(b.ctx, luapf, "--kill", script)
	cmd.Env, cmd.Dir = b.sb.env, b.sb.work
	return runKill(cmd)
}

// runKill runs a luapf --kill command. Its exit status 1, saying that no
// server runs for the script, is no failure here: either way none is left.
func runKill(cmd *exec.Cmd) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err == nil && stderr.Len() == 0 ||
		errors.As(err, &exitErr) && exitErr.ExitCode() == 1 && strings.HasPrefix(stderr.String(), "luapf: no server for ") {
		return nil
	}
	return fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(stderr.String()))
}

// cleanup stops the servers, waits for every process of the sandbox to be
// gone (killing stragglers) and removes the sandbox unless keep.
func (b *bench) cleanup(keep bool) error {
	ctx := b.ctx
	b.ctx = context.Background() // cleanup runs even after an interrupt
	defer func() { b.ctx = ctx }()
	err := b.stopServers()
	deadline := time.Now().Add(5 * time.Second)
	for len(b.procs.scan()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	killed, kerr := b.procs.killAll()
	if len(killed) > 0 {
		fmt.Fprintf(b.out, "luapf-bench: had to kill %d processes that outlived --kill: %v\n", len(killed), killed)
	}
	err = errors.Join(err, kerr)
	if !keep {
		err = errors.Join(err, b.sb.remove())
	}
	return err
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.out, format+"\n", args...)
}
