package lua

import (
	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/snapshot"
)

// Mode says what a Lua state is for; the prefork module behaves per mode.
type Mode int

const (
	// ModeStandalone runs the whole script in one process
	// (luapf --standalone): initialisation_complete returns at once.
	ModeStandalone Mode = iota
	// ModeSetup runs the initialisation: initialisation_complete captures
	// the state and hands it to a new server.
	ModeSetup
	// ModeExecutor continues a restored script for one call.
	ModeExecutor
)

// Interp is a gopher-lua state opened the way every luapf process opens it,
// so that library objects have the same paths in setup and executor (see
// snapshot.Builtins): the standard libraries, luapf's os.exit, the wrappers
// that record what the initialisation depends on, the prefork module and
// the binary's Go modules (Modules), all before the index is made.
type Interp struct {
	L         *lua.LState
	mode      Mode
	builtins  *snapshot.Builtins
	traceback *lua.LFunction // debug.traceback as the libraries made it

	main *lua.LFunction // the script's main chunk (setup, standalone)
	arg  *lua.LTable    // the table given to the script as arg

	// completed is set once initialisation_complete has been called.
	completed bool
	// loaded records the files the initialisation read (Lua files and
	// data files, dependencies.go), for autoreload.
	loaded []string
	// deps is the rest of what the initialisation depends on; InitEnv,
	// in an executor, is what it set in the environment.
	deps    dependencies
	InitEnv []EnvSetting
	// alsoCheck holds the files given to prefork.autoreload_also_check.
	alsoCheck []string
	// OnComplete does setup's work when initialisation_complete is called;
	// it does not return on success.
	OnComplete func(it *Interp, opts Options) error
	// BeforeExit, if set, runs after output is flushed and before the
	// process exits with code (executors report the code to the server).
	BeforeExit func(code int)
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

// NewInterp opens a state for mode, with the Lua modules mods implemented
// in Go (Modules), loaded before the index of library objects is made. An
// executor's state has completed its initialisation: it continues after
// initialisation_complete. It fails only when mods cannot be registered (a
// module with no name or no loader, or a name the interpreter has a
// library of).
func NewInterp(m Mode, mods Modules) (*Interp, error) {
	it := &Interp{L: lua.NewState(lua.Options{
		RegistrySize:     lua.RegistrySize,
		RegistryMaxSize:  maxStackSlots,
		RegistryGrowStep: stackGrowthStep,
	}), mode: m, completed: m == ModeExecutor}
	L := it.L
	it.traceback = L.GetField(L.GetGlobal("debug"), "traceback").(*lua.LFunction)
	L.SetField(L.GetGlobal("os"), "exit", L.NewFunction(it.osExit))
	it.setUpPackage()
	it.recordDependencies()
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"initialisation_complete": it.initialisationComplete,
		"autoreload_also_check":   it.autoreloadAlsoCheck,
	})
	// Loaded eagerly so that its functions are library objects with paths.
	L.G.Registry.RawGetString("_LOADED").(*lua.LTable).RawSetString("prefork", mod)
	if err := it.preloadModules(mods); err != nil {
		L.Close()
		return nil, err
	}
	if m != ModeExecutor { // an executor restores, which walks the paths it needs
		it.builtins = snapshot.IndexBuiltins(L)
	}
	return it, nil
}

// recording reports whether what the script reads now is a dependency of
// its initialisation (dependencies.go).
func (it *Interp) recording() bool { return it.mode == ModeSetup && !it.completed }

// CaptureConfig is what the snapshot needs to capture this state.
func (it *Interp) CaptureConfig() snapshot.CaptureConfig {
	return snapshot.CaptureConfig{Builtins: it.builtins, Main: it.main, Arg: it.arg}
}

// RestoreOptions is what the snapshot needs to restore into this state,
// which must not have run a script yet: eager or not (see
// snapshot.RestoreOptions).
func (it *Interp) RestoreOptions(eager bool) snapshot.RestoreOptions {
	return snapshot.RestoreOptions{Validated: true, Eager: eager}
}

// Close releases the state.
func (it *Interp) Close() { it.L.Close() }
