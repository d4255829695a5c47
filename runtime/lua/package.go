package lua

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Modules are found as Debian's lua5.1 finds them, so that a script that
// runs under lua5.1 finds the same files under luapf: package.path and
// package.cpath start with Debian's defaults, LUA_PATH and LUA_CPATH
// replace them as lua5.1's setpath does (";;" stands for the default; an
// empty value is an empty path), and lua5.1 reads no other variable
// (LUA_PATH_5_1 is Lua 5.2's naming, which 5.1 ignores). package.loaders
// has lua5.1's four searchers; the two for C modules find a module's .so on
// package.cpath as lua5.1 does, and then fail with lua5.1's "error loading
// module" message saying why: luapf runs Lua in Go, on gopher-lua, which
// cannot load C code.

// Debian's lua5.1 defaults (luaconf.h as Debian builds it).
const (
	luaPathDefault = "./?.lua;" +
		"/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;" +
		"/usr/local/lib/lua/5.1/?.lua;/usr/local/lib/lua/5.1/?/init.lua;" +
		"/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua"
	envLuaPath  = "LUA_PATH"
	envLuaCPath = "LUA_CPATH"
)

// luaCPathDefault is Debian's default package.cpath, whose system
// directory is named by the machine's multiarch triplet.
func luaCPathDefault() string {
	return "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/lib/" + multiarchTriplet() +
		"/lua/5.1/?.so;/usr/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so"
}

// multiarchTriplet is Debian's name for the machine's library directory.
func multiarchTriplet() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	case "386":
		return "i386-linux-gnu"
	case "arm":
		return "arm-linux-gnueabihf"
	case "ppc64le":
		return "powerpc64le-linux-gnu"
	case "riscv64":
		return "riscv64-linux-gnu"
	}
	return runtime.GOARCH + "-linux-gnu"
}

// searchPath is lua5.1's setpath: the variable's value with ";;" standing
// for the default, or the default when the variable is not set.
func searchPath(envName, def string) string {
	path, ok := os.LookupEnv(envName)
	if !ok {
		return def
	}
	return strings.ReplaceAll(path, ";;", ";"+def+";")
}

// setUpPackage gives package its paths and C-module searchers.
func (it *Interp) setUpPackage() {
	L := it.L
	pkg := L.GetGlobal("package").(*lua.LTable)
	pkg.RawSetString("path", lua.LString(searchPath(envLuaPath, luaPathDefault)))
	pkg.RawSetString("cpath", lua.LString(searchPath(envLuaCPath, luaCPathDefault())))
	pkg.RawSetString("loadlib", L.NewFunction(loadlib))
	loaders := L.G.Registry.RawGetString("_LOADERS").(*lua.LTable)
	loaders.RawSetInt(3, L.NewFunction(searchC))
	loaders.RawSetInt(4, L.NewFunction(searchCRoot))
}

// cannotLoadC is why luapf cannot load a C module, and what to do.
const cannotLoadC = "luapf runs Lua in Go (gopher-lua) and cannot load C modules; " +
	"use a pure-Lua module, or run this script with lua5.1"

// searchC is lua5.1's loader_C: module a.b is a/b.so on package.cpath.
func searchC(L *lua.LState) int {
	name := L.CheckString(1)
	return foundC(L, name, name)
}

// searchCRoot is lua5.1's loader_Croot: module a.b may be in a.so.
func searchCRoot(L *lua.LState) int {
	name := L.CheckString(1)
	root, _, sub := strings.Cut(name, ".")
	if !sub {
		return 0
	}
	return foundC(L, name, root)
}

// foundC looks for file on package.cpath for module name: the files tried
// when there is none, lua5.1's loading error when there is.
func foundC(L *lua.LState, name, file string) int {
	path, tried := lua.FindFile(L, file, "cpath")
	if path == "" {
		L.Push(lua.LString(tried))
		return 1
	}
	L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, path, cannotLoadC)
	return 0
}

// loadlib is package.loadlib: lua5.1's result when the library cannot be
// opened (nil, the message, "open").
func loadlib(L *lua.LState) int {
	path := L.CheckString(1)
	L.CheckString(2)
	L.Push(lua.LNil)
	L.Push(lua.LString(fmt.Sprintf("%s: %s", path, cannotLoadC)))
	L.Push(lua.LString("open"))
	return 3
}
