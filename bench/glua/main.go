// Command glua runs a Lua script with plain gopher-lua, the interpreter luapf
// is built on, and nothing of luapf: the benchmark harness's "plain
// gopher-lua cold" contender. Like lua5.4 it gives the script its arguments
// in arg and ..., and finds modules on package.path (LUA_PATH, default
// ./?.lua first), where the harness puts a no-op prefork module.
//
//	glua SCRIPT [ARGS...]
package main

import (
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: glua SCRIPT [ARGS...]")
		return 2
	}
	L := lua.NewState()
	defer L.Close()
	script, rest := args[0], args[1:]
	argTable := L.NewTable()
	argTable.RawSetInt(-1, lua.LString(os.Args[0]))
	argTable.RawSetInt(0, lua.LString(script))
	values := make([]lua.LValue, len(rest))
	for i, a := range rest {
		argTable.RawSetInt(i+1, lua.LString(a))
		values[i] = lua.LString(a)
	}
	L.SetGlobal("arg", argTable)
	fn, err := L.LoadFile(script)
	if err != nil {
		fmt.Fprintf(os.Stderr, "glua: %v\n", err)
		return 1
	}
	L.Push(fn)
	for _, v := range values {
		L.Push(v)
	}
	if err := L.PCall(len(values), 0, nil); err != nil {
		fmt.Fprintf(os.Stderr, "glua: %v\n", err)
		return 1
	}
	return 0
}
