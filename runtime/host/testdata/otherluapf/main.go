// Command otherluapf is a second embedding program for runtime/host's
// tests: it has a json module too, not jsonluapf's, and a tag module, so
// that the same script runs under both and says which program ran it.
package main

import (
	"os"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/host"
)

func main() {
	program := host.Program{Modules: map[string]lua.LGFunction{"json": loadJSON, "tag": loadTag}}
	os.Exit(program.Main(os.Args))
}

// loadJSON is a json module whose encode says whose it is.
func loadJSON(L *lua.LState) int {
	L.Push(L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			L.Push(lua.LString("otherluapf's json"))
			return 1
		},
	}))
	return 1
}

// loadTag is a module with a value only.
func loadTag(L *lua.LState) int {
	L.Push(lua.LString("otherluapf"))
	return 1
}
