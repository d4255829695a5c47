package host

import (
	"os"

	lua "github.com/yuin/gopher-lua"

	"luapf/preforklib"
	"luapf/preforklib/client"
	"luapf/preforklib/reexec"
	"luapf/preforklib/watcher"
	"luapf/runtime/executor"
	luart "luapf/runtime/lua"
	"luapf/runtime/server"
)

// A Program is a luapf binary: luapf's client, watcher, setup, server and
// executor, and the Lua modules implemented in Go that its scripts can
// require. The zero Program is luapf itself; cmd/luapf is
//
//	os.Exit(host.Program{}.Main(os.Args))
//
// A Program is a plain value: nothing is registered anywhere else, and a
// test may run several.
type Program struct {
	// Modules are the Lua modules implemented in Go, by the name a
	// script requires them by. A loader is a gopher-lua function, as for
	// LState.PreloadModule: called with the module's name, it pushes the
	// module, usually a table of functions, and returns 1.
	//
	// Every process of the program that runs Lua (setup, each executor,
	// --standalone) runs every loader once, in name order, as its
	// interpreter opens and before the script starts; package.preload
	// then holds, for each name, a function that returns what the loader
	// returned, so require behaves as with PreloadModule. A name must be
	// new to luapf's interpreter (not "string", "os", "prefork", ...), and
	// non-empty.
	Modules map[string]lua.LGFunction
}

// Main runs the part of luapf that this process plays, chosen from argv
// (the process's os.Args) and the environment exactly as cmd/luapf
// chooses it, and returns the exit status to pass to os.Exit. Called as a
// client, Main may instead end the process with the signal that killed
// the script, so that the caller sees the same death.
//
// Call Main first thing in main, with os.Args as they are: luapf starts
// its helper processes (setup, server, executors) by running the
// program's executable again, naming the role in argv[0] or in the
// environment, and each must reach Main to play it.
func (p Program) Main(argv []string) int {
	return reexec.Dispatch(p.roles(), argv, os.LookupEnv)
}

// roles are every process the program can be (reexec.Dispatch picks one):
// the hidden roles luapf re-executes itself as, setup (the interpreter a
// client runs with PREFORK_INTERP set), and the client, everything else.
// The roles that open a Lua interpreter get the program's modules; the
// client gets their names for the server ident.
func (p Program) roles() []reexec.Role {
	mods := luart.Modules(p.Modules)
	standalone := func(script string, args []string) int { return luart.Standalone(mods, script, args) }
	return []reexec.Role{
		{Name: reexec.RoleWatcher, Hidden: true, Main: watcher.Main},
		{Name: reexec.RoleServer, Hidden: true, Main: server.Main},
		{Name: reexec.RoleExecutor, Hidden: true, Main: func(argv []string) int { return executor.Main(argv, mods) }},
		{Name: reexec.RoleNofileProbe, Hidden: true, Main: client.NofileProbeMain},
		{Name: reexec.RoleSetup, Env: preforklib.EnvPreforkInterp, Main: func(argv []string) int { return server.SetupMain(argv, mods) }},
		{Name: reexec.RoleClient, Main: func(argv []string) int {
			return client.Main(argv, client.Runtime{Standalone: standalone, Modules: mods.Names()})
		}},
	}
}
