package preforklib

// Placeholder until the client lands; replaced by client.go and friends.

// Runtime is what the client needs from the Lua side.
type Runtime struct {
	Standalone func(script string, args []string) int
}

// Main runs the luapf client.
func Main(argv []string, rt Runtime) int { return ExitClientError }
