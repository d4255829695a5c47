package host_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/host"
)

// writeScript writes a Lua script into a new directory and returns its
// path; the caller removes the directory.
func writeScript(src string) string {
	dir, err := os.MkdirTemp("", "luapf-example-")
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		log.Fatal(err)
	}
	return path
}

// A program registers its Lua modules and hands its main over to
// Program.Main. Here Main runs a script with --standalone, in this
// process; run as a script's interpreter, the same main keeps the script
// warm, and the function kept in hello crosses initialisation_complete.
func Example() {
	loadGreet := func(L *lua.LState) int {
		mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
			"hello": func(L *lua.LState) int {
				L.Push(lua.LString("hello, " + L.CheckString(1)))
				return 1
			},
		})
		L.Push(mod)
		return 1
	}
	program := host.Program{Modules: map[string]lua.LGFunction{"greet": loadGreet}}

	script := writeScript(`
local prefork = require "prefork"
local hello = require("greet").hello   -- a module function, kept warm
prefork.initialisation_complete()
print(hello(arg[1]))
`)
	defer os.RemoveAll(filepath.Dir(script))

	// In the program's main: os.Exit(program.Main(os.Args))
	status := program.Main([]string{"greeter", "--standalone", script, "world"})
	fmt.Println("exit status", status)
	// Output:
	// hello, world
	// exit status 0
}

// A loader runs once as each interpreter opens, before the script starts;
// require returns what it returned, however often the script requires
// the module.
func ExampleProgram() {
	loads := 0
	program := host.Program{Modules: map[string]lua.LGFunction{
		"version": func(L *lua.LState) int {
			loads++
			L.Push(lua.LString(L.CheckString(1) + " 1.0")) // the loader gets the module's name
			return 1
		},
	}}
	script := writeScript(`
print(type(package.preload.version), package.loaded.version)
print(require "version", require "version", package.loaded.version)
`)
	defer os.RemoveAll(filepath.Dir(script))

	status := program.Main([]string{"versioned", "--standalone", script})
	fmt.Println("loader ran", loads, "time; exit status", status)
	// Output:
	// function	nil
	// version 1.0	version 1.0	version 1.0
	// loader ran 1 time; exit status 0
}

// The zero Program is luapf itself, with no modules of its own: cmd/luapf
// is os.Exit(host.Program{}.Main(os.Args)).
func ExampleProgram_Main() {
	script := writeScript(`print("no module named json here:", (pcall(require, "json")))`)
	defer os.RemoveAll(filepath.Dir(script))

	status := host.Program{}.Main([]string{"luapf", "--standalone", script})
	fmt.Println("exit status", status)
	// Output:
	// no module named json here:	false
	// exit status 0
}
