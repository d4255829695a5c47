package warm

import (
	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/snapshot"
)

// mode says what a Lua state is for; the prefork module behaves per mode.
type mode int

const (
	// modeStandalone runs the whole script in one process
	// (luapf --standalone): initialisation_complete returns at once.
	modeStandalone mode = iota
	// modeSetup runs the initialisation: initialisation_complete captures
	// the state and hands it to a new server.
	modeSetup
	// modeExecutor continues a restored script for one call.
	modeExecutor
)

// interp is a gopher-lua state opened the way every luapf process opens it,
// so that library objects have the same paths in setup and executor (see
// snapshot.Builtins): the standard libraries, luapf's os.exit, the wrappers
// that record what the initialisation depends on, and the prefork module,
// all before the index is made.
type interp struct {
	L         *lua.LState
	mode      mode
	builtins  *snapshot.Builtins
	traceback *lua.LFunction // debug.traceback as the libraries made it

	main *lua.LFunction // the script's main chunk (setup, standalone)
	arg  *lua.LTable    // the table given to the script as arg

	// completed is set once initialisation_complete has been called.
	completed bool
	// loaded records the files the initialisation read (Lua files and
	// data files, dependencies.go), for autoreload.
	loaded []string
	// deps is the rest of what the initialisation depends on; initEnv,
	// in an executor, is what it set in the environment.
	deps    dependencies
	initEnv []EnvSetting
	// alsoCheck holds the files given to prefork.autoreload_also_check.
	alsoCheck []string
	// onComplete does setup's work when initialisation_complete is called;
	// it does not return on success.
	onComplete func(it *interp, opts Options) error
	// beforeExit, if set, runs after output is flushed and before the
	// process exits with code (executors report the code to the server).
	beforeExit func(code int)
}

// The Lua data stack (gopher-lua's registry) starts at gopher-lua's size
// and grows, as real Lua's does, up to Lua's own limit (LUAI_MAXSTACK): a
// script's arguments all go on it as the main chunk's `...`, and a command
// line can carry a few hundred thousand. gopher-lua's default stack is
// fixed at 5,120 slots, and pushing past it panics.
const (
	maxStackSlots   = 1_000_000
	stackGrowthStep = 16 << 10 // slots added per growth, so growing is rare
)

// newInterp opens a state for mode.
func newInterp(m mode) *interp {
	it := &interp{L: lua.NewState(lua.Options{
		RegistrySize:     lua.RegistrySize,
		RegistryMaxSize:  maxStackSlots,
		RegistryGrowStep: stackGrowthStep,
	}), mode: m}
	L := it.L
	it.traceback = L.GetField(L.GetGlobal("debug"), "traceback").(*lua.LFunction)
	L.SetField(L.GetGlobal("os"), "exit", L.NewFunction(it.osExit))
	it.recordDependencies()
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"initialisation_complete": it.initialisationComplete,
		"autoreload_also_check":   it.autoreloadAlsoCheck,
	})
	// Loaded eagerly so that its functions are library objects with paths.
	L.G.Registry.RawGetString("_LOADED").(*lua.LTable).RawSetString("prefork", mod)
	it.builtins = snapshot.IndexBuiltins(L)
	return it
}

// recording reports whether what the script reads now is a dependency of
// its initialisation (dependencies.go).
func (it *interp) recording() bool { return it.mode == modeSetup && !it.completed }

// captureConfig is what the snapshot needs to capture this state.
func (it *interp) captureConfig() snapshot.CaptureConfig {
	return snapshot.CaptureConfig{Builtins: it.builtins, Main: it.main, Arg: it.arg}
}

// close releases the state.
func (it *interp) close() { it.L.Close() }
