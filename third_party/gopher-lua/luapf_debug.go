package lua

// luapf: the functions of Lua 5.1's debug library that gopher-lua lacks.
// gopher-lua has no hooks: gethook reports none, sethook accepts clearing
// (what penlight's pretty.read does around loading a string) and fails
// plainly when asked to install one.

import (
	"os"
	"strings"
)

func debugGetHook51(L *LState) int {
	L.Push(LNil)
	L.Push(emptyLString)
	L.Push(LNumber(0))
	return 3
}

func debugSetHook51(L *LState) int {
	arg := 0
	if _, ok := L.Get(1).(*LState); ok {
		arg = 1
	}
	if hook := L.Get(arg + 1); hook != LNil {
		L.CheckFunction(arg + 1)
		L.RaiseError("debug.sethook: hooks are not supported (luapf runs Lua in Go, on gopher-lua, which has none)")
	}
	return 0
}

func debugGetRegistry51(L *LState) int {
	L.Push(L.G.Registry)
	return 1
}

// debugDebug51 is db_debug: read commands from standard input and run
// them, until "cont" or the end of input. It reads a byte at a time so as
// to take no input beyond its own lines.
func debugDebug51(L *LState) int {
	for {
		os.Stderr.WriteString("lua_debug> ")
		var line strings.Builder
		var c [1]byte
		for {
			n, err := os.Stdin.Read(c[:])
			if n == 0 || err != nil {
				if line.Len() == 0 {
					return 0
				}
				break
			}
			line.WriteByte(c[0])
			if c[0] == '\n' || line.Len() >= 249 {
				break
			}
		}
		if line.String() == "cont\n" {
			return 0
		}
		fn, err := L.Load(strings.NewReader(line.String()), "=(debug command)")
		if err == nil {
			L.Push(fn)
			err = L.PCall(0, 0, nil)
		}
		if err != nil {
			msg := err.Error()
			if apiErr, ok := err.(*ApiError); ok && apiErr.Object != nil {
				msg = LVAsString(apiErr.Object)
			}
			os.Stderr.WriteString(msg + "\n")
		}
	}
}
