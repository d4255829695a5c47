package lua

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"

	"luapf/preforklib"
)

// What an initialisation depends on besides the script itself, recorded by
// setup while the initialisation runs (mode setup, before
// initialisation_complete), so that a warm call sees what a cold run of the
// script would see now:
//
//   - Files it read: Lua files loaded with require, dofile or loadfile, and
//     data files opened for reading with io.open (modes "r" and "rb"),
//     io.lines or io.input. With autoreload_inc (the default) they join the
//     files whose change makes the server reload (WatchList), and a file
//     it tried to read that did not exist makes the server reload when it
//     appears. A file opened for writing or update is not a dependency: the
//     initialisation's own writes would make every call reload. Only
//     regular files count: devices, pipes and the kernel's /proc and /sys
//     change without a new modification time.
//   - Environment variables it read with os.getenv, with the values it saw.
//     The server offers them to luapf clients (preforklib.FeatureEnv),
//     which take a call whose values differ to a server of its own.
//     LUA_PATH and LUA_CPATH always count: package.path and package.cpath
//     are made from them when a state is opened (package.go), in setup and
//     in executors alike, before any call's environment arrives.
//   - Environment variables it set with os.setenv: each call's environment
//     is the caller's with these set on top, as a cold run's per-call part
//     sees it. A variable read after the initialisation set it is no
//     dependency.
//
// The wrappers are installed in every mode, before the builtins index, so
// that library functions have the same paths everywhere (snapshot.Builtins)
// and behave the same in --standalone, setup and executors. Each runs the
// library's own Go function in its own frame with the library's upvalues:
// results, errors and tracebacks are exactly the library's.

// maxEnvNameBytes bounds the names of the environment variables an
// initialisation may depend on, so that the server's offer stays well
// within a greeting (preforklib.MaxGreetingData).
const maxEnvNameBytes = 64 << 10

// EnvSetting is one os.setenv of an initialisation.
type EnvSetting struct {
	Name, Value string
}

// dependencies is what setup records about an initialisation, beyond the
// files in interp.loaded.
type dependencies struct {
	envRead   map[string]envSeen // name → what os.getenv saw
	envSet    []EnvSetting       // os.setenv calls, in order
	setByInit map[string]bool    // names os.setenv has set
	absent    []string           // files it tried to read that did not exist
}

// envSeen is what os.getenv saw of a variable: its value, or that it was
// not set at all (nil in Lua, where an empty variable gives "").
type envSeen struct {
	value string
	set   bool
}

func lookupEnv(name string) envSeen {
	v, ok := os.LookupEnv(name)
	return envSeen{v, ok}
}

// recordDependencies installs, in the Lua state, the wrappers that record
// what the initialisation depends on.
func (it *Interp) recordDependencies() {
	L := it.L
	it.deps = dependencies{envRead: map[string]envSeen{}, setByInit: map[string]bool{}}
	if it.recording() {
		it.deps.envRead[envLuaPath] = lookupEnv(envLuaPath)
		it.deps.envRead[envLuaCPath] = lookupEnv(envLuaCPath)
	}
	stringArg := func(L *lua.LState, n int) (string, bool) {
		if v := L.Get(n); lua.LVCanConvToString(v) {
			return lua.LVAsString(v), true
		}
		return "", false
	}
	fileArg := func(L *lua.LState) {
		if path, ok := stringArg(L, 1); ok {
			it.recordRead(path)
		}
	}
	oslib, iolib := L.GetGlobal("os").(*lua.LTable), L.GetGlobal("io").(*lua.LTable)
	it.wrapLibFunction(L.G.Global, "dofile", fileArg, nil)
	it.wrapLibFunction(L.G.Global, "loadfile", fileArg, nil)
	it.wrapLibFunction(iolib, "lines", fileArg, nil)
	it.wrapLibFunction(iolib, "input", func(L *lua.LState) {
		if path, ok := L.Get(1).(lua.LString); ok { // a file handle is no path
			it.recordRead(string(path))
		}
	}, nil)
	it.wrapLibFunction(iolib, "open", func(L *lua.LState) {
		mode := "r"
		if m, ok := L.Get(2).(lua.LString); ok {
			mode = string(m)
		}
		if mode == "r" || mode == "rb" {
			fileArg(L)
		}
	}, nil)
	it.wrapLibFunction(oslib, "getenv", nil, func(L *lua.LState, _ int) {
		name, ok := stringArg(L, 1)
		if !ok || !preforklib.ValidEnvName(name) || it.deps.setByInit[name] {
			return
		}
		if _, seen := it.deps.envRead[name]; !seen {
			it.deps.envRead[name] = lookupEnv(name)
		}
	})
	it.wrapLibFunction(oslib, "setenv", nil, func(L *lua.LState, results int) {
		name, _ := stringArg(L, 1)
		value, _ := stringArg(L, 2)
		if results == 1 && L.Get(-1) == lua.LTrue {
			it.deps.envSet = append(it.deps.envSet, EnvSetting{Name: name, Value: value})
			it.deps.setByInit[name] = true
		}
	})
	loaders := L.G.Registry.RawGetString("_LOADERS").(*lua.LTable)
	luaLoader := loaders.RawGetInt(2).(*lua.LFunction)
	loaders.RawSetInt(2, it.wrapped(luaLoader, func(L *lua.LState) {
		if name, ok := L.Get(1).(lua.LString); ok {
			if path, _ := lua.FindFile(L, string(name), "path"); path != "" {
				it.recordRead(path)
			}
		}
	}, nil))
}

// wrapLibFunction replaces the library function tbl[name] with it.wrapped.
func (it *Interp) wrapLibFunction(tbl *lua.LTable, name string, before func(L *lua.LState), after func(L *lua.LState, results int)) {
	tbl.RawSetString(name, it.wrapped(tbl.RawGetString(name).(*lua.LFunction), before, after))
}

// wrapped returns a Go function that does what orig does, calling before
// and after around it while the initialisation is being recorded. after
// gets the number of results orig pushed; a function that raises an error
// skips it.
func (it *Interp) wrapped(orig *lua.LFunction, before func(L *lua.LState), after func(L *lua.LState, results int)) *lua.LFunction {
	return &lua.LFunction{IsG: true, Env: orig.Env, Upvalues: orig.Upvalues, GFunction: func(L *lua.LState) int {
		recording := it.recording()
		if recording && before != nil {
			before(L)
		}
		n := orig.GFunction(L)
		if recording && after != nil {
			after(L, n)
		}
		return n
	}}
}

// recordRead notes a file the initialisation reads (or tries to).
func (it *Interp) recordRead(path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	switch fileKind(path) {
	case readsRegularFile:
		it.loaded = append(it.loaded, path)
	case readsNothing:
		it.deps.absent = append(it.deps.absent, path)
	}
}

// readKind is what reading a path reads.
type readKind int

const (
	readsOther       readKind = iota // not a dependency (device, /proc, error)
	readsRegularFile                 // a file whose changes its mtime shows
	readsNothing                     // no file there
)

// pseudoFileSystems change their files' contents without their mtimes.
var pseudoFileSystems = map[int64]bool{
	unix.PROC_SUPER_MAGIC: true, unix.SYSFS_MAGIC: true, unix.CGROUP_SUPER_MAGIC: true,
	unix.CGROUP2_SUPER_MAGIC: true, unix.DEBUGFS_MAGIC: true, unix.TRACEFS_MAGIC: true,
	unix.SECURITYFS_MAGIC: true, unix.BPF_FS_MAGIC: true, configfsMagic: true,
	unix.EFIVARFS_MAGIC: true, unix.PSTOREFS_MAGIC: true,
}

// configfsMagic is CONFIGFS_MAGIC of linux/magic.h, which x/sys/unix lacks.
const configfsMagic = 0x62656570

func fileKind(path string) readKind {
	var st unix.Stat_t
	err := unix.Stat(path, &st)
	switch {
	case errors.Is(err, unix.ENOENT):
		return readsNothing
	case err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG:
		return readsOther
	}
	var fs unix.Statfs_t
	if unix.Statfs(path, &fs) == nil && pseudoFileSystems[int64(fs.Type)] {
		return readsOther
	}
	return readsRegularFile
}

// Dependencies are what an initialisation depends on besides its files.
type Dependencies struct {
	// EnvNames are the environment variables it read with os.getenv
	// (sorted; LUA_PATH always among them), and EnvDigest the
	// preforklib.EnvDigest of the values it saw.
	EnvNames  []string
	EnvDigest string
	// InitEnv are its os.setenv calls, in order.
	InitEnv []EnvSetting
	// Absent are files it tried to read that did not exist.
	Absent []string
}

// Dependencies returns what the initialisation recorded so far depends on
// besides its files (WatchList). It fails when the initialisation read
// more environment than can be tracked.
func (it *Interp) Dependencies() (Dependencies, error) {
	var d Dependencies
	size := 0
	for name := range it.deps.envRead {
		d.EnvNames = append(d.EnvNames, name)
		size += len(name)
	}
	if size > maxEnvNameBytes {
		return d, fmt.Errorf("the initialisation read %d environment variables whose names take %d bytes, more than the %d luapf can track; "+
			"read fewer before prefork.initialisation_complete()", len(d.EnvNames), size, maxEnvNameBytes)
	}
	slices.Sort(d.EnvNames)
	d.EnvDigest = preforklib.EnvDigest(d.EnvNames, func(name string) (string, bool) {
		seen := it.deps.envRead[name]
		return seen.value, seen.set
	})
	d.InitEnv = it.deps.envSet
	d.Absent = it.deps.absent
	return d, nil
}

// WatchList is what makes the server reload: the script, the files the
// initialisation read (autoreload_inc), autoreload_extra, the files given
// to autoreload_also_check, and the luapf executable itself.
func (it *Interp) WatchList(script string, opts Options) []string {
	var list []string
	add := func(path string) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		for _, p := range list {
			if p == path {
				return
			}
		}
		list = append(list, path)
	}
	add(script)
	if opts.AutoreloadInc {
		for _, p := range it.loaded {
			add(p)
		}
	}
	for _, p := range opts.AutoreloadExtra {
		add(p)
	}
	for _, p := range it.alsoCheck {
		add(p)
	}
	if exe, err := os.Executable(); err == nil {
		add(exe)
	}
	return list
}
