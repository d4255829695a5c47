// Command luapf keeps Lua scripts warm: a script that starts
// #!/usr/bin/luapf runs its initialisation once, in a server, and every later
// invocation runs only the per-call part. See README.md and docs/.
//
// main only decides which role this process plays, from one table of every
// role; the roles live in preforklib (client, watcher) and runtime (setup,
// server, executor).
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

// roles are every process luapf can be (reexec.Dispatch picks one): the
// hidden roles luapf re-executes itself as, setup (the interpreter a
// client runs with PREFORK_INTERP set), and the client, everything else.
var roles = []reexec.Role{
	{Name: reexec.RoleWatcher, Hidden: true, Main: watcher.Main},
	{Name: reexec.RoleServer, Hidden: true, Main: server.Main},
	{Name: reexec.RoleExecutor, Hidden: true, Main: executor.Main},
	{Name: reexec.RoleNofileProbe, Hidden: true, Main: client.NofileProbeMain},
	{Name: reexec.RoleSetup, Env: preforklib.EnvPreforkInterp, Main: server.SetupMain},
	{Name: reexec.RoleClient, Main: func(argv []string) int {
		return client.Main(argv, client.Runtime{Standalone: lua.Standalone})
	}},
}

func main() {
	os.Exit(reexec.Dispatch(roles, os.Args, os.LookupEnv))
}
