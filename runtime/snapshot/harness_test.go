package snapshot

// The test harness: a minimal stand-in for luapf's runtime that runs a
// script three ways in helper processes (the test binary re-executed):
//
//	oracle         straight through; prefork.initialisation_complete returns at once
//	capture        up to initialisation_complete, then writes the snapshot and exits
//	restore        restores the snapshot lazily in a fresh state and continues the chunk
//	restore-eager  the same, with every object made and loaded by Restore
//
// The snapshot is right when oracle's output equals capture's followed by
// restore's, byte for byte, and both end with the same status, both ways.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

const (
	envMode     = "LUAPF_SNAPTEST_MODE"
	envScript   = "LUAPF_SNAPTEST_SCRIPT"
	envSnapshot = "LUAPF_SNAPTEST_SNAPSHOT"
	envArgs     = "LUAPF_SNAPTEST_ARGS" // call arguments, as JSON
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envMode); mode != "" {
		os.Exit(helperMain(mode))
	}
	os.Exit(m.Run())
}

// testRuntime is the test's prefork module and state factory.
type testRuntime struct {
	mode     string // "oracle", "capture" or "restore"
	builtins *Builtins
	main     *lua.LFunction
	arg      *lua.LTable
	snapshot []byte // capture result, in-process runs
	err      error  // capture error, in-process runs
	called   bool
	// onCapture runs after a successful capture in helper processes.
	onCapture func([]byte) int
}

// newState opens a state the way every mode must: libraries, the prefork
// module (loaded eagerly so its functions are builtins), a userdata maker
// for refusal tests, and Go-side readers of tables (goside.go).
func (rt *testRuntime) newState() (*lua.LState, *lua.LFunction) {
	L := lua.NewState()
	mod := L.NewTable()
	mod.RawSetString("initialisation_complete", L.NewFunction(rt.initialisationComplete))
	L.G.Registry.RawGetString("_LOADED").(*lua.LTable).RawSetString("prefork", mod)
	L.SetGlobal("make_userdata", L.NewFunction(func(L *lua.LState) int {
		L.Push(L.NewUserData())
		return 1
	}))
	registerGoSide(L)
	traceback := L.GetField(L.GetGlobal("debug"), "traceback").(*lua.LFunction)
	rt.builtins = IndexBuiltins(L)
	return L, traceback
}

func (rt *testRuntime) initialisationComplete(L *lua.LState) int {
	if rt.called {
		L.RaiseError("initialisation_complete called twice")
	}
	rt.called = true
	if rt.mode == "check" {
		if rt.err = Check(L, CaptureConfig{Builtins: rt.builtins, Main: rt.main, Arg: rt.arg}); rt.err != nil {
			L.RaiseError("%s", rt.err.Error())
		}
		L.RaiseError("%s", errStopped) // in-process: stop the chunk here
	}
	if rt.mode != "capture" {
		return 0
	}
	rt.snapshot, rt.err = Capture(L, CaptureConfig{Builtins: rt.builtins, Main: rt.main, Arg: rt.arg})
	if rt.err != nil {
		L.RaiseError("%s", rt.err.Error())
	}
	if rt.onCapture != nil {
		os.Exit(rt.onCapture(rt.snapshot))
	}
	// In-process capture: stop the chunk here.
	L.RaiseError("%s", errStopped)
	return 0
}

var errStopped = "luapf-test: stopped after capture"

// argTable builds the script's arg: arg[0] the script, then the arguments.
func argTable(L *lua.LState, script string, args []string) *lua.LTable {
	t := L.NewTable()
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	return t
}

func luaArgs(args []string) []lua.LValue {
	out := make([]lua.LValue, len(args))
	for i, a := range args {
		out[i] = lua.LString(a)
	}
	return out
}

// call runs fn with args under a traceback handler; an error is printed as
// the runtime prints it and gives status 1.
func call(L *lua.LState, traceback, fn *lua.LFunction, args []lua.LValue) int {
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), 0, traceback); err != nil {
		var apiErr *lua.ApiError
		msg := err.Error()
		if errors.As(err, &apiErr) {
			msg = apiErr.Object.String()
		}
		fmt.Fprintf(os.Stderr, "luapf: %s\n", msg)
		return 1
	}
	return 0
}

// runScript runs script in-process in the given mode; restore mode takes
// the snapshot to continue from.
func runScript(rt *testRuntime, script string, args []string, snapshot []byte) int {
	L, traceback := rt.newState()
	defer L.Close()
	if rt.mode == "restore" || rt.mode == "restore-eager" {
		c, err := Restore(L, snapshot, RestoreOptions{Eager: rt.mode == "restore-eager"})
		if err != nil {
			fmt.Fprintf(os.Stderr, "luapf: %v\n", err)
			return 2
		}
		if t := c.Arg(); t != nil {
			refill(t, script, args)
		}
		rt.called = true
		return call(L, traceback, c.Function(), c.Args(luaArgs(args)...))
	}
	fn, err := L.LoadFile(script)
	if err != nil {
		fmt.Fprintf(os.Stderr, "luapf: %v\n", err)
		return 1
	}
	rt.main = fn
	rt.arg = argTable(L, script, args)
	L.SetGlobal("arg", rt.arg)
	return call(L, traceback, fn, luaArgs(args))
}

// clearTable removes every key of t.
func clearTable(t *lua.LTable) {
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		t.RawSet(k, lua.LNil)
	}
}

// refill empties t and stores the call's arguments in it.
func refill(t *lua.LTable, script string, args []string) {
	clearTable(t)
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
}

func helperMain(mode string) int {
	script := os.Getenv(envScript)
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(envArgs)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad", envArgs, err)
		return 2
	}
	rt := &testRuntime{mode: mode}
	var snap []byte
	switch mode {
	case "capture":
		rt.onCapture = func(b []byte) int {
			if err := os.WriteFile(os.Getenv(envSnapshot), b, 0o600); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			return 0
		}
	case "restore", "restore-eager":
		var err error
		if snap, err = os.ReadFile(os.Getenv(envSnapshot)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	return runScript(rt, script, args, snap)
}

// runResult is what one helper process did.
type runResult struct {
	stdout, stderr string
	status         int
}

// runHelper runs the test binary as a helper in mode with extra env.
func runHelper(t *testing.T, mode, script, snapshot string, args []string, env ...string) runResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envMode+"="+mode, envScript+"="+script, envSnapshot+"="+snapshot, envArgs+"="+jsonArgs(args))
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = filepath.Dir(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := runResult{stdout: out.String(), stderr: errb.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		res.status = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s helper for %s: %v", mode, script, err)
	}
	return res
}

// captureInProcess runs src (Lua source written to a temp file) up to
// initialisation_complete and returns the snapshot or the capture error.
func captureInProcess(t testing.TB, src string) ([]byte, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return captureFile(t, path)
}

func captureFile(t testing.TB, path string) ([]byte, error) {
	return runUntilCapture(t, path, "capture")
}

// runUntilCapture runs the script at path in-process in mode "capture" or
// "check" and returns the snapshot (capture) and the error met.
func runUntilCapture(t testing.TB, path, mode string) ([]byte, error) {
	t.Helper()
	rt := &testRuntime{mode: mode}
	L, traceback := rt.newState()
	defer L.Close()
	fn, err := L.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rt.main = fn
	rt.arg = argTable(L, path, nil)
	L.SetGlobal("arg", rt.arg)
	L.Push(fn)
	perr := L.PCall(0, 0, traceback)
	if rt.snapshot != nil {
		return rt.snapshot, nil
	}
	if rt.err != nil {
		return nil, rt.err
	}
	if mode == "check" && rt.called {
		return nil, nil // checked, then stopped
	}
	if perr != nil {
		return nil, perr
	}
	return nil, fmt.Errorf("script ended without calling initialisation_complete")
}

func jsonArgs(args []string) string {
	b, _ := json.Marshal(args)
	return string(b)
}
