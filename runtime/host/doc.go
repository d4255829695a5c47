// Package host makes a Go program a luapf of its own: luapf's whole
// command, warm servers included, plus Lua modules the program implements
// in Go. The program describes itself in a Program value, its modules by
// name, and hands its main over to [Program.Main], exactly as cmd/luapf
// does with no modules.
//
// # Writing the program
//
// A module is registered as with gopher-lua's LState.PreloadModule: a name
// and a loader that pushes the module and returns 1.
//
//	package main
//
//	import (
//		"os"
//
//		lua "github.com/yuin/gopher-lua"
//
//		"luapf/runtime/host"
//	)
//
//	func main() {
//		program := host.Program{Modules: map[string]lua.LGFunction{"greet": loadGreet}}
//		os.Exit(program.Main(os.Args))
//	}
//
//	func loadGreet(L *lua.LState) int {
//		mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
//			"hello": func(L *lua.LState) int {
//				L.Push(lua.LString("hello, " + L.CheckString(1)))
//				return 1
//			},
//		})
//		L.Push(mod)
//		return 1
//	}
//
// examples/jsonluapf in luapf's repository is a complete one: a json
// module on encoding/json and a script that uses it warm.
//
// # Building and running it
//
// Build it as make build builds luapf, static:
//
//	CGO_ENABLED=0 go build -trimpath -o /usr/local/bin/greeter .
//
// It then is luapf under another name: every option of luapf (-f,
// --kill, --status, --standalone, -E, -G, ...) and every behaviour, with
// the program's modules in every script it runs. Scripts start
// #!/usr/local/bin/greeter, or run as greeter script.lua ARGS.
//
// luapf's module path is luapf, and it builds against its own patched copy
// of gopher-lua. A program in a module of its own uses both with replace
// directives in its go.mod (a replace applies only in the main module):
//
//	require (
//		github.com/yuin/gopher-lua v1.1.2
//		luapf v0.0.0
//	)
//
//	replace (
//		github.com/yuin/gopher-lua => /path/to/luapf/third_party/gopher-lua
//		luapf => /path/to/luapf
//	)
//
// # What a loader must do
//
// Every process of the program that runs Lua runs every loader once, in
// name order, as its interpreter opens and before the script starts: the
// setup process that runs a script's initialisation, --standalone, and
// each executor that continues the script for one call. An executor opens
// its interpreter ahead of its call, so its loaders run with the server's
// environment and working directory, and with standard output going
// nowhere. So a loader must build the same module every time, cheaply, and
// without printing or reading what a call may change; the expensive work
// belongs in the script's initialisation, which runs once.
//
// require returns what the loader returned (true if it returned nothing),
// and package.preload holds, for each name, a function that returns it. A
// loader that raised an error makes require raise it, where the script
// requires the module, the same warm and cold. A loader may require
// another registered module. A name must be new to luapf's interpreter
// (not "string", "os", "prefork", ...) and non-empty: otherwise every
// process of the program that opens Lua fails with exit status 127,
// saying which name and why.
//
// # What crosses initialisation_complete
//
// Everything the loader made, the module's table, its functions, and any
// userdata or metatables it registered, is a library object, like the
// standard library's: wherever the initialisation kept it (a local, a
// global, a field of a table of its own, an upvalue, a metatable), the
// executor continues with its own object under the same path, made by its
// own loader, with the changes the initialisation made to the module's
// tables. A script may keep local encode = json.encode, or a table of
// module functions, and call it in every call.
//
// What a module's function makes while the script runs is the script's,
// not the module's: a Go function (a closure over state of its own) or a
// userdata it returns cannot cross initialisation_complete, and luapf
// refuses it there, naming where the script kept it, for example
//
//	cannot carry local 'pretty' (Go function) across initialisation_complete: ...
//
// Make it after initialisation_complete, once per call, or have the module
// offer a plain function instead. State a module keeps in Go variables is
// each process's own: what the initialisation did to it is not carried,
// and every call starts from what the loader made. Keep what the
// initialisation builds in Lua values (tables, strings, numbers).
//
// # Servers
//
// A server's ident, which decides which calls share it, covers the
// program's executable and the names of its modules, so two programs
// never share a server, even for the same script, and neither shares one
// with luapf. Autoreload watches the executable as it watches the script:
// rebuilding the program makes its running servers give way to fresh ones
// at their next call.
//
// # Processes
//
// luapf runs as several processes from one binary (Go cannot fork): Main
// plays the client, or, when luapf re-executes the program's own
// executable to start a helper, the watcher, setup, server or executor.
// Those are told their role by argv[0] or by the environment
// (PREFORK_INTERP), which is why main must call Main first, with os.Args
// as they are. ps shows the program's helpers as it shows luapf's, for
// example
//
//	luapf [server] /home/me/bin/quote.lua
//
// program.go holds Program and the one table of every role a binary can
// play, which cmd/luapf and every embedding program run.
package host
