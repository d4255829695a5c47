package lua

import (
	"errors"
	"fmt"
	"os"

	"luapf/preforklib"
	"luapf/preforklib/reexec"

	lua "github.com/yuin/gopher-lua"
)

// Exit statuses of a script run (the executor's status is the call's; see
// docs/protocol.md). luapf's own failures exit preforklib.ExitLuapfError.
const (
	ExitOK       = 0 // the script ran to its end
	ExitLuaError = 1 // uncaught Lua error, or a script that cannot load
)

// setArg fills t as the script's arg table: arg[0] is the script, arg[1..]
// its arguments, and arg[-1] the interpreter, as in the lua command.
func setArg(t *lua.LTable, interpreter, script string, args []string) {
	t.RawSetInt(-1, lua.LString(interpreter))
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
}

// ResetArg makes t, the arg table a restored script continues with, the
// caller's: arg[-1] the interpreter, arg[0] the script, then its arguments.
func ResetArg(t *lua.LTable, interpreter, script string, args []string) {
	clearTable(t)
	setArg(t, interpreter, script, args)
}

// clearTable removes every key of t.
func clearTable(t *lua.LTable) {
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		t.RawSet(k, lua.LNil)
	}
}

// StringValues returns args as Lua strings.
func StringValues(args []string) []lua.LValue {
	out := make([]lua.LValue, len(args))
	for i, a := range args {
		out[i] = lua.LString(a)
	}
	return out
}

// maxScriptArgs is how many values a script's main chunk can be called
// with (its arguments, and in an executor the locals it continues with):
// they must fit on the Lua stack with room to run.
const maxScriptArgs = maxStackSlots - 10_000

// Run calls fn with args under debug.traceback and returns the exit status:
// 0 when it returns, 1 after reporting an uncaught error on stderr as
// lua5.1 does (reportText). Output is flushed either way.
func (it *Interp) Run(fn *lua.LFunction, args []lua.LValue) int {
	L := it.L
	if len(args) > maxScriptArgs {
		preforklib.Say(os.Stderr, "too many arguments to the script: more than %d", maxScriptArgs)
		return ExitLuaError
	}
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 0, it.traceback)
	it.FlushStdio()
	if err != nil {
		if text, ok := reportText(err); ok {
			preforklib.Say(os.Stderr, "%s", text)
		}
		return ExitLuaError
	}
	return ExitOK
}

// reportText is how lua5.1 (lua.c's report) shows an uncaught error: a
// string or number as it is (debug.traceback, the handler, has added the
// traceback to it), any other value as "(error object is not a string)",
// and nil not at all.
func reportText(err error) (string, bool) {
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		return err.Error(), true
	}
	switch v := apiErr.Object.(type) {
	case nil, *lua.LNilType:
		return "", false
	case lua.LString, lua.LNumber:
		return lua.LVAsString(v), true
	}
	return "(error object is not a string)", true
}

// luaErrorText returns the message (with traceback, when the handler added
// one) of an error from PCall or loading.
func luaErrorText(err error) string {
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Object != nil && apiErr.Object != lua.LNil {
		return apiErr.Object.String()
	}
	return err.Error()
}

// loadScript compiles the script file.
func (it *Interp) loadScript(script string) error {
	if st, err := os.Stat(script); err != nil {
		return fmt.Errorf("cannot run %s: %w", script, unwrapPathError(err))
	} else if st.IsDir() {
		return fmt.Errorf("cannot run %s: it is a directory", script)
	}
	fn, err := it.L.LoadFile(script)
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Type == lua.ApiErrorFile && apiErr.Cause != nil {
		return fmt.Errorf("cannot run %s: %w", script, unwrapPathError(apiErr.Cause))
	}
	if err != nil {
		return fmt.Errorf("%s", luaErrorText(err))
	}
	it.main = fn
	return nil
}

// unwrapPathError drops the path from an *os.PathError, which the message
// around it already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// StartScript loads script and gives it its arg table; it is how setup and
// --standalone begin.
func (it *Interp) StartScript(interpreter, script string, args []string) error {
	if err := it.loadScript(script); err != nil {
		return err
	}
	it.arg = it.L.NewTable()
	setArg(it.arg, interpreter, script, args)
	it.L.SetGlobal("arg", it.arg)
	return nil
}

// RunMain runs the script's main chunk, loaded by StartScript, with args
// as its ..., and returns the exit status as Run does.
func (it *Interp) RunMain(args []string) int {
	return it.Run(it.main, StringValues(args))
}

// Standalone runs script in this process with no server, as
// `luapf --standalone SCRIPT ARGS` does: initialisation_complete returns at
// once. It is the reference behaviour every warm call is tested against.
// mods are the binary's Go modules, as every process of it opens them.
func Standalone(mods Modules, script string, args []string) int {
	reexec.FatalSignalsByDefault()
	it, err := NewInterp(ModeStandalone, mods)
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	defer it.Close()
	interpreter, _ := os.Executable()
	if err := it.StartScript(interpreter, script, args); err != nil {
		preforklib.Say(os.Stderr, "%v", err)
		return ExitLuaError
	}
	return it.Run(it.main, StringValues(args))
}
