// Package lua is the Lua interpreter as every luapf process opens it
// (interp.go): gopher-lua's state with the standard libraries, luapf's
// os.exit, the wrappers that record what a script's initialisation depends
// on (dependencies.go: the files it read and the environment it read and
// set), the prefork module scripts require (prefork.go), and the Lua
// modules an embedding program implements in Go (modules.go, Modules;
// runtime/host), all made before the snapshot's index of library objects,
// so that library objects have the same paths in setup and in every
// executor.
//
// An Interp has a Mode. Setup (runtime/server) runs a script's
// initialisation in ModeSetup: prefork.initialisation_complete parses its
// options (options.go) and calls Interp.OnComplete, which captures the
// state. An executor (runtime/executor) restores that state into a
// ModeExecutor interpreter and runs the rest of the main chunk for a call.
// ModeStandalone runs the whole script in one process (Standalone,
// script.go): luapf --standalone, the reference behaviour that every warm
// call is tested against. Run reports how a script ended as the exit
// statuses ExitOK and ExitLuaError; luapf's own failures exit
// preforklib.ExitLuapfError.
package lua
