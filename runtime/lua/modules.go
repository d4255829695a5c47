package lua

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Modules are the Lua modules implemented in Go that a luapf binary
// registers (runtime/host's Program.Modules), by the name a script requires
// them by. A loader is a gopher-lua function, as for LState.PreloadModule:
// called with the module's name, it pushes the module (usually a table of
// functions) and returns 1.
//
// Every interpreter runs every loader when it opens, in name order, before
// the snapshot's index of library objects is made (NewInterp). So what a
// loader makes, the module's table, its Go functions and any userdata or
// metatables it registers, is a library object with the same path in
// setup, in --standalone and in every executor, and crosses
// initialisation_complete by path like the standard library's: an executor
// uses its own. package.preload[name] is a function that returns what the
// loader returned then, so require behaves as with PreloadModule; a loader
// that failed makes require raise its error, where the script requires it,
// the same in every mode.
type Modules map[string]lua.LGFunction

// Names returns the modules' names, sorted.
func (m Modules) Names() []string { return slices.Sorted(maps.Keys(m)) }

// preloadModules registers mods in package.preload and runs their loaders
// (see Modules). Every preload function is in place before the first loader
// runs, so a loader may require another registered module.
func (it *Interp) preloadModules(mods Modules) error {
	if len(mods) == 0 {
		return nil
	}
	L := it.L
	loaded := L.G.Registry.RawGetString("_LOADED").(*lua.LTable)
	preload, ok := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	if !ok {
		return fmt.Errorf("register Go modules: package.preload is not a table")
	}
	// What each loader returned, or the error it raised: name → {true,
	// module} or {false, error}. It is reached only through the preload
	// functions' upvalues, and so indexed with them.
	results := L.NewTable()
	names := mods.Names()
	for _, name := range names {
		switch {
		case name == "":
			return fmt.Errorf("register Go modules: a module has an empty name; give it the name scripts require it by")
		case strings.ContainsRune(name, 0):
			return fmt.Errorf("register Go module %q: its name contains a NUL byte", name)
		case mods[name] == nil:
			return fmt.Errorf("register Go module %q: its loader is nil", name)
		case loaded.RawGetString(name) != lua.LNil || preload.RawGetString(name) != lua.LNil:
			return fmt.Errorf("register Go module %q: luapf's interpreter has a library of that name already; register the module under another name", name)
		}
		preload.RawSetString(name, L.NewClosure(requireGoModule, lua.LString(name), L.NewFunction(mods[name]), results))
	}
	for _, name := range names {
		// An error is kept in results and raised again by require.
		_ = L.CallByParam(lua.P{Fn: preload.RawGetString(name), NRet: 0, Protect: true}, lua.LString(name))
	}
	// A loader that required another module put it in package.loaded:
	// the script finds every registered module unloaded, as with
	// PreloadModule, until it requires it.
	for _, name := range names {
		loaded.RawSetString(name, lua.LNil)
	}
	return nil
}

// requireGoModule is package.preload[name] for a module registered in Go;
// its upvalues are the name, the loader and the shared results table (see
// preloadModules). The first call runs the loader and keeps what it
// returned or raised; every call returns that, or raises that error again.
func requireGoModule(L *lua.LState) int {
	name := L.Get(lua.UpvalueIndex(1))
	results := L.Get(lua.UpvalueIndex(3)).(*lua.LTable)
	r, done := results.RawGet(name).(*lua.LTable)
	if !done {
		r = L.NewTable()
		// Until the loader returns, a require of this module (a loader
		// that requires itself, or two that require each other) fails.
		r.RawSetInt(1, lua.LFalse)
		r.RawSetInt(2, lua.LString(fmt.Sprintf("loop loading module '%s'", lua.LVAsString(name))))
		results.RawSet(name, r)
		L.Push(L.Get(lua.UpvalueIndex(2)))
		L.Push(name)
		if err := L.PCall(1, 1, nil); err != nil {
			r.RawSetInt(2, lua.LString(fmt.Sprintf("error loading module '%s': %s", lua.LVAsString(name), luaErrorText(err))))
		} else {
			r.RawSetInt(1, lua.LTrue)
			r.RawSetInt(2, L.Get(-1))
			L.Pop(1)
		}
	}
	if r.RawGetInt(1) != lua.LTrue {
		L.Error(r.RawGetInt(2), 0)
	}
	L.Push(r.RawGetInt(2))
	return 1
}
