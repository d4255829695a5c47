// Command luapf keeps Lua scripts warm: a script that starts
// #!/usr/bin/luapf runs its initialisation once, in a server, and every later
// invocation runs only the per-call part. See README.md and docs/.
//
// main is luapf with no Lua modules of its own: runtime/host's Program
// decides which role this process plays (client, watcher, setup, server,
// executor), from one table of every role. A Go program that adds its own
// Lua modules makes the same call with them (README.md, "Embedding luapf
// in a Go program").
package main

import (
	"os"

	"luapf/runtime/host"
)

func main() {
	os.Exit(host.Program{}.Main(os.Args))
}
