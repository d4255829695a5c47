package lua

import (
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/snapshot"
)

// The prefork Lua module:
//
//	local prefork = require "prefork"
//	prefork.autoreload_also_check("/etc/myapp.conf")
//	prefork.initialisation_complete{ max_servers = 4, pool = 1 }
//
// initialisation_complete ends the initialisation. In a server's setup it
// captures the state and hands it to the server, and the rest of the script
// runs in an executor for each call; under --standalone it checks its options
// and returns.

func (it *Interp) initialisationComplete(L *lua.LState) int {
	opts, err := ParseOptions(L.Get(1))
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if it.completed {
		L.RaiseError("prefork.initialisation_complete was called a second time; call it once, as a statement in the script's main chunk")
	}
	it.completed = true
	switch it.mode {
	case ModeSetup:
		// Returns only on failure: on success the setup process exits
		// and the rest of the script runs in executors.
		err := it.OnComplete(it, opts)
		L.RaiseError("%s", err.Error())
	case ModeStandalone:
		// Fail where a warm run would: called from the wrong place, or
		// state that cannot be carried.
		if err := snapshot.Check(L, it.CaptureConfig()); err != nil {
			L.RaiseError("%s", err.Error())
		}
	}
	return 0
}

// autoreloadAlsoCheck adds files whose change makes the server reload, like
// the Perl library's prefork_autoreload_also_check.
func (it *Interp) autoreloadAlsoCheck(L *lua.LState) int {
	for i := 1; i <= L.GetTop(); i++ {
		path := L.CheckString(i)
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if it.mode == ModeSetup && !it.completed {
			it.alsoCheck = append(it.alsoCheck, path)
		}
	}
	return 0
}

// osExit replaces os.exit: os.exit(true) is 0 and os.exit(false) 1, as in
// Lua 5.2 and later; a number is the status; standard output and error are
// flushed first.
func (it *Interp) osExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if !v {
			code = 1
		}
	case lua.LNumber:
		code = int(v)
	default:
		L.ArgError(1, "exit status must be a number or a boolean")
	}
	it.Exit(code & 0xff)
	return 0
}

// Exit ends the process with code after flushing the script's output; an
// executor first reports the code to its server (see BeforeExit).
func (it *Interp) Exit(code int) {
	it.FlushStdio()
	if it.BeforeExit != nil {
		it.BeforeExit(code)
	}
	os.Exit(code)
}

// FlushStdio flushes io.stdout and io.stderr, which a script may have made
// buffered with setvbuf; errors (a closed pipe) are ignored, as at exit.
func (it *Interp) FlushStdio() {
	L := it.L
	for _, name := range []string{"stdout", "stderr"} {
		f := L.GetField(L.GetGlobal("io"), name)
		if f == lua.LNil {
			continue
		}
		if flush, ok := L.GetField(f, "flush").(*lua.LFunction); ok {
			_ = L.CallByParam(lua.P{Fn: flush, NRet: 0, Protect: true}, f)
		}
	}
}
