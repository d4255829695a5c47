package warm

import (
	"fmt"
	"os"
)

// Hidden re-exec roles of the Lua runtime (see preforklib.Roles).
const (
	RoleServer   = "server"
	RoleExecutor = "executor"
)

func notBuilt(what string) int {
	fmt.Fprintf(os.Stderr, "luapf: %s is not built yet (the Lua runtime has not landed)\n", what)
	return 127
}

// SetupMain runs the setup role: the script's initialisation, started by a
// client with PREFORK_INTERP set.
func SetupMain(argv []string) int { return notBuilt("the setup role") }

// ServerMain runs the server role.
func ServerMain(args []string) int { return notBuilt("the server role") }

// ExecutorMain runs the executor role.
func ExecutorMain(args []string) int { return notBuilt("the executor role") }

// Standalone runs script in this process with no server.
func Standalone(script string, args []string) int { return notBuilt("--standalone") }
