// Command luapf keeps Lua scripts warm: a script that starts
// #!/usr/bin/luapf runs its initialisation once, in a server, and every later
// invocation runs only the per-call part. See README.md.
//
// main only decides which role this process plays; the roles live in
// preforklib (client, watcher) and runtime (setup, server, executor).
package main

import (
	"os"

	"luapf/preforklib"
	"luapf/preforklib/client"
	"luapf/preforklib/reexec"
	"luapf/preforklib/watcher"
	"luapf/runtime/executor"
	"luapf/runtime/lua"
	"luapf/runtime/server"
)

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	// Re-executed helpers first: they must never be mistaken for a client.
	roles := reexec.Roles{
		watcher.Role:        watcher.Main,
		reexec.RoleServer:   server.Main,
		reexec.RoleExecutor: executor.Main,
	}
	if status, ok := roles.Run(argv); ok {
		return status
	}
	// A client (ours or chiark's) that starts a new server runs the
	// interpreter with PREFORK_INTERP set: that is the setup role.
	if _, ok := os.LookupEnv(preforklib.EnvPreforkInterp); ok {
		return server.SetupMain(argv)
	}
	return client.Main(argv, client.Runtime{Standalone: lua.Standalone})
}
