package lua

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/snapshot"
)

// newTestInterp opens an interpreter for mode with mods, failing the test
// if it cannot.
func newTestInterp(t *testing.T, m Mode, mods Modules) *Interp {
	t.Helper()
	it, err := NewInterp(m, mods)
	if err != nil {
		t.Fatalf("NewInterp: %v", err)
	}
	return it
}

// greetModule is a module implemented in Go that records, per interpreter,
// how often its loader ran and the function it made.
type greetModule struct {
	loads int
	hello *lua.LFunction
}

func (g *greetModule) loader(L *lua.LState) int {
	g.loads++
	mod := L.NewTable()
	g.hello = L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("hello, " + L.CheckString(1)))
		return 1
	})
	mod.RawSetString("hello", g.hello)
	mod.RawSetString("name", L.Get(1)) // the name require passes
	// A Go function made at run time, over per-call state.
	mod.RawSetString("counter", L.NewFunction(func(L *lua.LState) int {
		n := 0
		L.Push(L.NewFunction(func(L *lua.LState) int {
			n++
			L.Push(lua.LNumber(n))
			return 1
		}))
		return 1
	}))
	L.Push(mod)
	return 1
}

// luaLoader returns a module loader that runs src and returns its one
// result, raising its error.
func luaLoader(src string) lua.LGFunction {
	return func(L *lua.LState) int {
		fn, err := L.LoadString(src)
		if err != nil {
			L.RaiseError("%v", err)
		}
		L.Push(fn)
		L.Call(0, 1)
		return 1
	}
}

// TestModulesRequire: a registered module is required as with gopher-lua's
// PreloadModule, its loader runs once when the interpreter opens, in every
// mode, and a loader's failure is raised where the script requires it.
func TestModulesRequire(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   string // what the script returns, or the error it raises
	}{
		{"preload", `return type(package.preload.greet) .. " " .. tostring(package.loaded.greet)`, "function nil"},
		{"require", `local g = require "greet"; return g.hello("world") .. " " .. g.name`, "hello, world greet"},
		{"same module every time", `return require("greet") == require("greet") and package.loaded.greet == require("greet")`, "true"},
		{"no result", `return require "empty"`, "true"},
		{"requires another", `return require("uses").hello("x")`, "hello, x"},
		{"failed loader", `return select(2, pcall(require, "broken"))`, "error loading module 'broken': <string>:1: the broken module cannot load"},
		// As in Lua 5.1, a module whose loading failed stays failed, and
		// the message has no position when pcall called require.
		{"failed again", `return select(2, pcall(require, "broken"))`, "loop or previous error loading module 'broken'"},
		{"loop", `return select(2, pcall(require, "loop"))`, "error loading module 'loop': loop loading module 'loop'"},
	}
	for _, m := range []Mode{ModeStandalone, ModeSetup, ModeExecutor} {
		greet := &greetModule{}
		it := newTestInterp(t, m, Modules{
			"greet":  greet.loader,
			"empty":  func(L *lua.LState) int { return 0 },
			"uses":   luaLoader(`return require "greet"`),
			"broken": luaLoader(`error("the broken module cannot load")`),
			"loop":   luaLoader(`return require "loop"`),
		})
		for _, tt := range tests {
			err := it.L.DoString(tt.script)
			got := ""
			if err != nil {
				got = "error: " + luaErrorText(err)
			} else {
				got = it.L.Get(-1).String()
				it.L.Pop(1)
			}
			if got != tt.want {
				t.Errorf("mode %d, %s: got %q, want %q", m, tt.name, got, tt.want)
			}
		}
		if greet.loads != 1 {
			t.Errorf("mode %d: the loader ran %d times, want once", m, greet.loads)
		}
		it.Close()
	}
}

// TestModulesRefused: a module that cannot be registered fails the
// interpreter's opening, saying which and why.
func TestModulesRefused(t *testing.T) {
	loader := func(L *lua.LState) int { return 0 }
	tests := []struct {
		mods Modules
		want string
	}{
		{Modules{"": loader}, "a module has an empty name"},
		{Modules{"json": nil}, `register Go module "json": its loader is nil`},
		{Modules{"a\x00b": loader}, `register Go module "a\x00b": its name contains a NUL byte`},
		{Modules{"string": loader}, `register Go module "string": luapf's interpreter has a library of that name already`},
		{Modules{"prefork": loader}, `register Go module "prefork": luapf's interpreter has a library of that name already`},
	}
	for _, tt := range tests {
		it, err := NewInterp(ModeStandalone, tt.mods)
		if err == nil {
			it.Close()
			t.Errorf("%v: opened", tt.mods.Names())
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.mods.Names(), err, tt.want)
		}
	}
}

// errCaptured ends a test's initialisation once its state is captured.
var errCaptured = errors.New("captured")

// captureScript runs script in a setup interpreter with mods up to
// initialisation_complete and returns the captured state, or the error
// the capture gave.
func captureScript(t *testing.T, mods Modules, script string) ([]byte, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	it := newTestInterp(t, ModeSetup, mods)
	defer it.Close()
	var state []byte
	var captureErr error
	it.OnComplete = func(it *Interp, _ Options) error {
		state, captureErr = snapshot.Capture(it.L, it.CaptureConfig())
		if captureErr != nil {
			return captureErr
		}
		return errCaptured
	}
	if err := it.StartScript("luapf", path, nil); err != nil {
		t.Fatal(err)
	}
	err := it.L.CallByParam(lua.P{Fn: it.main, Protect: true})
	if state == nil && captureErr == nil {
		t.Fatalf("the script did not reach initialisation_complete: %v", err)
	}
	return state, captureErr
}

// TestModulesCarry: what a module's loader made crosses
// initialisation_complete by path, wherever the script kept it: an
// executor continues with its own module, made by its own loader.
func TestModulesCarry(t *testing.T) {
	setupGreet := &greetModule{}
	state, err := captureScript(t, Modules{"greet": setupGreet.loader}, `
local prefork = require "prefork"
local greet = require "greet"
local kept = { hello = greet.hello, nested = { greet } }
stored = greet.hello
greet.extra = "set by the initialisation"
prefork.initialisation_complete()
result = table.concat({ kept.hello("a"), kept.nested[1].hello("b"), stored("c"),
  tostring(require("greet") == greet), tostring(package.loaded.greet == greet), greet.extra }, ",")
`)
	if err != nil {
		t.Fatal(err)
	}
	for call := 1; call <= 2; call++ {
		greet := &greetModule{}
		ex := newTestInterp(t, ModeExecutor, Modules{"greet": greet.loader})
		// The first call restores lazily, the second eagerly.
		cont, err := snapshot.Restore(ex.L, state, snapshot.RestoreOptions{Eager: call == 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := ex.L.CallByParam(lua.P{Fn: cont.Function(), Protect: true}, cont.Args()...); err != nil {
			t.Fatalf("call %d: %v", call, err)
		}
		want := "hello, a,hello, b,hello, c,true,true,set by the initialisation"
		if got := ex.L.GetGlobal("result").String(); got != want {
			t.Errorf("call %d: %q, want %q", call, got, want)
		}
		if ex.L.GetGlobal("stored") != greet.hello || greet.hello == setupGreet.hello {
			t.Errorf("call %d: the module function the executor continues with is not the one its own loader made", call)
		}
		ex.Close()
	}
}

// TestModulesRunTimeFunctionRefused: a Go function a module made while the
// script ran is not the module's: capture refuses it, naming where the
// script kept it.
func TestModulesRunTimeFunctionRefused(t *testing.T) {
	tests := []struct {
		keep string // Lua that keeps a Go function next_id() makes
		path string
	}{
		{`local tick = next_id()`, "local 'tick'"},
		{`ids = next_id()`, "global 'ids'"},
		{`state = { ids = { next_id() } }`, "global 'state'.ids[1]"},
		{`do local tick = next_id(); g = function() return tick() end end`, "upvalue 'tick' of global 'g'"},
	}
	for _, tt := range tests {
		greet := &greetModule{}
		_, err := captureScript(t, Modules{"greet": greet.loader}, `
local prefork = require "prefork"
local function next_id() return require("greet").counter() end
`+tt.keep+`
prefork.initialisation_complete()
`)
		var carry *snapshot.CarryError
		if !errors.As(err, &carry) {
			t.Errorf("%s: %v, want a CarryError", tt.keep, err)
			continue
		}
		if carry.Path != tt.path || carry.Type != "Go function" {
			t.Errorf("%s: refused %s (%s), want %s (Go function)", tt.keep, carry.Path, carry.Type, tt.path)
		}
	}
}
