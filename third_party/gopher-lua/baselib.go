package lua

import (
	"io"
	"runtime"
	"strings"
)

/* basic functions {{{ */

func OpenBase(L *LState) int {
	global := L.Get(GlobalsIndex).(*LTable)
	L.SetGlobal("_G", global)
	L.SetGlobal("_VERSION", LString(LuaVersion))
	L.SetGlobal("_GOPHER_LUA_VERSION", LString(PackageName+" "+PackageVersion))
	basemod := L.RegisterModule("_G", baseFuncs)
	global.RawSetString("ipairs", L.NewClosure(baseIpairs, L.NewFunction(ipairsaux)))
	global.RawSetString("pairs", L.NewClosure(basePairs, L.NewFunction(pairsaux)))
	L.Push(basemod)
	return 1
}

var baseFuncs = map[string]LGFunction{
	"assert":         baseAssert,
	"collectgarbage": baseCollectGarbage51, // luapf: Lua 5.1's options (luapf_gc.go)
	"gcinfo":         baseGcInfo51,
	"dofile":         baseDoFile,
	"error":          baseError,
	"getfenv":        baseGetFEnv,
	"getmetatable":   baseGetMetatable,
	"load":           baseLoad,
	"loadfile":       baseLoadFile,
	"loadstring":     baseLoadString,
	"next":           baseNext,
	"pcall":          basePCall,
	"print":          basePrint,
	"rawequal":       baseRawEqual,
	"rawget":         baseRawGet,
	"rawset":         baseRawSet,
	"select":         baseSelect,
	"_printregs":     base_PrintRegs,
	"setfenv":        baseSetFEnv,
	"setmetatable":   baseSetMetatable,
	"tonumber":       baseToNumber,
	"tostring":       baseToString,
	"type":           baseType,
	"unpack":         baseUnpack,
	"xpcall":         baseXPCall,
	// loadlib
	"module":  loModule,
	"require": loRequire,
	// hidden features
	"newproxy": baseNewProxy,
}

func baseAssert(L *LState) int {
	// luapf: as Lua 5.1's luaB_assert (the message is placed like any
	// library error, and a number is a message).
	L.CheckAny(1)
	if !L.ToBool(1) {
		L.RaiseError("%s", L.optString51(2, "assertion failed!"))
		return 0
	}
	return L.GetTop()
}

func baseCollectGarbage(L *LState) int {
	runtime.GC()
	return 0
}

func baseDoFile(L *LState) int {
	src := L.ToString(1)
	top := L.GetTop()
	fn, err := L.LoadFile(src)
	if err != nil {
		L.Push(LString(loadFileMessage51(src, err))) // luapf
		L.Panic(L)
	}
	L.Push(fn)
	L.Call(0, MultRet)
	return L.GetTop() - top
}

func baseError(L *LState) int {
	// luapf: as Lua 5.1's luaB_error: error() raises nil, and a number
	// gets a position like a string.
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if n, ok := obj.(LNumber); ok && level > 0 {
		obj = LString(n.String())
	}
	L.Error(obj, level)
	return 0
}

func baseGetFEnv(L *LState) int {
	// luapf: as Lua 5.1's luaB_getfenv: a level must be on the stack.
	if fn, ok := L.Get(1).(*LFunction); ok {
		if !fn.IsG {
			L.Push(fn.Env)
		} else {
			L.Push(L.G.Global)
		}
		return 1
	}
	level := int(checkCInt51Opt(L, 1, 1))
	if level < 0 {
		L.ArgError(1, "level must be non-negative")
	}
	if level == 0 {
		L.Push(L.Env)
		return 1
	}
	cf := levelFrame51(L, level)
	if cf == nil || cf.Fn.IsG {
		L.Push(L.G.Global)
	} else {
		L.Push(cf.Fn.Env)
	}
	return 1
}

// levelFrame51 is the frame at level (1: the caller of the running Go
// function), raising Lua 5.1's "invalid level" when there is none.
func levelFrame51(L *LState, level int) *callFrame {
	cf := L.currentFrame
	for i := 0; i < level && cf != nil; i++ {
		cf = cf.Parent
	}
	if cf == nil {
		L.ArgError(1, "invalid level")
	}
	return cf
}

// checkCInt51Opt is luaL_optint.
func checkCInt51Opt(L *LState, n int, def int32) int32 {
	if L.Get(n) == LNil {
		return def
	}
	return checkCInt(L, n)
}

func baseGetMetatable(L *LState) int {
	L.Push(L.GetMetatable(L.CheckAny(1)))
	return 1
}

func ipairsaux(L *LState) int {
	tb := L.CheckTable(1)
	i := L.CheckInt(2)
	i++
	v := tb.RawGetInt(i)
	if v == LNil {
		return 0
	} else {
		L.Pop(1)
		L.Push(LNumber(i))
		L.Push(LNumber(i))
		L.Push(v)
		return 2
	}
}

func baseIpairs(L *LState) int {
	tb := L.CheckTable(1)
	L.Push(L.Get(UpvalueIndex(1)))
	L.Push(tb)
	L.Push(LNumber(0))
	return 3
}

func loadaux(L *LState, reader io.Reader, chunkname string) int {
	if fn, err := L.Load(reader, chunkname); err != nil {
		L.Push(LNil)
		L.Push(LString(err.Error()))
		return 2
	} else {
		L.Push(fn)
		return 1
	}
}

func baseLoad(L *LState) int {
	fn := L.CheckFunction(1)
	chunkname := L.OptString(2, "=(load)") // luapf: Lua 5.1's name
	top := L.GetTop()
	buf := []string{}
	for {
		L.SetTop(top)
		L.Push(fn)
		L.Call(0, 1)
		ret := L.reg.Pop()
		if ret == LNil {
			break
		} else if LVCanConvToString(ret) {
			str := ret.String()
			if len(str) > 0 {
				buf = append(buf, string(str))
			} else {
				break
			}
		} else {
			L.Push(LNil)
			L.Push(LString("reader function must return a string"))
			return 2
		}
	}
	return loadaux(L, strings.NewReader(strings.Join(buf, "")), chunkname)
}

func baseLoadFile(L *LState) int {
	// luapf: as Lua 5.1's luaL_loadfile: the chunk is named @file (or
	// =stdin), a first line starting with # is skipped, and the messages
	// are Lua's.
	path := L.OptString(1, "")
	fn, err := L.LoadFile(path)
	if err != nil {
		L.Push(LNil)
		L.Push(LString(loadFileMessage51(path, err)))
		return 2
	}
	L.Push(fn)
	return 1
}

func baseLoadString(L *LState) int {
	// luapf: Lua 5.1 names a string chunk by its text (see chunkID).
	str := L.CheckString(1)
	return loadaux(L, strings.NewReader(str), L.OptString(2, str))
}

func baseNext(L *LState) int {
	tb := L.CheckTable(1)
	index := LNil
	if L.GetTop() >= 2 {
		index = L.Get(2)
	}
	key, value := tb.Next(index)
	if key == LNil {
		L.Push(LNil)
		return 1
	}
	L.Push(key)
	L.Push(value)
	return 2
}

func pairsaux(L *LState) int {
	tb := L.CheckTable(1)
	key, value := tb.Next(L.Get(2))
	if key == LNil {
		return 0
	} else {
		L.Pop(1)
		L.Push(key)
		L.Push(key)
		L.Push(value)
		return 2
	}
}

func basePairs(L *LState) int {
	tb := L.CheckTable(1)
	L.Push(L.Get(UpvalueIndex(1)))
	L.Push(tb)
	L.Push(LNil)
	return 3
}

func basePCall(L *LState) int {
	L.CheckAny(1)
	v := L.Get(1)
	if v.Type() != LTFunction && L.GetMetaField(v, "__call").Type() != LTFunction {
		L.Push(LFalse)
		L.Push(LString("attempt to call a " + v.Type().String() + " value"))
		return 2
	}
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, MultRet, nil); err != nil {
		L.Push(LFalse)
		if aerr, ok := err.(*ApiError); ok {
			L.Push(aerr.Object)
		} else {
			L.Push(LString(err.Error()))
		}
		return 2
	} else {
		L.Insert(LTrue, 1)
		return L.GetTop()
	}
}

func basePrint(L *LState) int {
	// luapf: as Lua 5.1's luaB_print: each value through the global
	// tostring, written (up to a NUL, as fputs) to io.stdout, whose buffer
	// it shares with io.write as C's stdout is shared.
	top := L.GetTop()
	tostring := L.GetGlobal("tostring")
	var line []byte
	for i := 1; i <= top; i++ {
		var s LValue
		if isBaseToString(tostring) {
			s = L.ToStringMeta(L.Get(i))
		} else {
			L.Push(tostring)
			L.Push(L.Get(i))
			L.Call(1, 1)
			s = L.reg.Pop()
		}
		if !LVCanConvToString(s) {
			L.RaiseError("'tostring' must return a string to 'print'")
		}
		if i > 1 {
			line = append(line, '\t')
		}
		str := LVAsString(s)
		if j := strings.IndexByte(str, 0); j >= 0 {
			str = str[:j]
		}
		line = append(line, str...)
	}
	line = append(line, '\n')
	stdoutWriter(L).Write(line)
	return 0
}

func base_PrintRegs(L *LState) int {
	L.printReg()
	return 0
}

func baseRawEqual(L *LState) int {
	if L.CheckAny(1) == L.CheckAny(2) {
		L.Push(LTrue)
	} else {
		L.Push(LFalse)
	}
	return 1
}

func baseRawGet(L *LState) int {
	L.Push(L.RawGet(L.CheckTable(1), L.CheckAny(2)))
	return 1
}

func baseRawSet(L *LState) int {
	L.RawSet(L.CheckTable(1), L.CheckAny(2), L.CheckAny(3))
	return 0
}

func baseSelect(L *LState) int {
	// luapf: as Lua 5.1's luaB_select.
	n := L.GetTop()
	if s, ok := L.Get(1).(LString); ok && strings.HasPrefix(string(s), "#") {
		L.Push(LNumber(n - 1))
		return 1
	}
	i := int(checkCInt(L, 1))
	if i < 0 {
		i = n + i
	} else if i > n {
		i = n
	}
	if 1 > i {
		L.ArgError(1, "index out of range")
	}
	return n - i
}

func baseSetFEnv(L *LState) int {
	// luapf: as Lua 5.1's luaB_setfenv, with its checks and messages.
	env := L.CheckTable(2)
	const cannot = "'setfenv' cannot change environment of given object"
	if fn, ok := L.Get(1).(*LFunction); ok {
		if fn.IsG {
			L.RaiseError(cannot)
		}
		fn.Env = env
		L.Push(fn)
		return 1
	}
	level := int(checkCInt(L, 1))
	if level < 0 {
		L.ArgError(1, "level must be non-negative")
	}
	if level == 0 {
		L.Env = env
		return 0
	}
	cf := levelFrame51(L, level)
	if cf.Fn.IsG {
		L.RaiseError(cannot)
	}
	cf.Fn.Env = env
	L.Push(cf.Fn)
	return 1
}

func baseSetMetatable(L *LState) int {
	// luapf: as Lua 5.1's luaB_setmetatable: tables only.
	t := L.Get(2).Type()
	L.CheckTable(1)
	if t != LTNil && t != LTTable {
		L.ArgError(2, "nil or table expected")
	}
	obj := L.Get(1)
	mt := L.Get(2)
	if m := L.metatable(obj, true); m != LNil {
		if tb, ok := m.(*LTable); ok && tb.RawGetString("__metatable") != LNil {
			L.RaiseError("cannot change a protected metatable")
		}
	}
	L.SetMetatable(obj, mt)
	L.SetTop(1)
	return 1
}

func baseToNumber(L *LState) int {
	// luapf: as Lua 5.1's luaB_tonumber: base 10 converts as the lexer
	// does (luapf_number.go), other bases as strtoul.
	base := L.OptInt(2, 10)
	if base == 10 {
		switch lv := L.CheckAny(1).(type) {
		case LNumber:
			L.Push(lv)
		case LString:
			if v, ok := luaStr2Number(string(lv)); ok {
				L.Push(LNumber(v))
			} else {
				L.Push(LNil)
			}
		default:
			L.Push(LNil)
		}
		return 1
	}
	s := L.CheckString(1)
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	if v, ok := luaStrToUlong(s, base); ok {
		L.Push(LNumber(v))
	} else {
		L.Push(LNil)
	}
	return 1
}

func baseToString(L *LState) int {
	v1 := L.CheckAny(1)
	L.Push(L.ToStringMeta(v1))
	return 1
}

func baseType(L *LState) int {
	L.Push(LString(L.CheckAny(1).Type().String()))
	return 1
}

func baseUnpack(L *LState) int {
	tb := L.CheckTable(1)
	start := int(checkCInt51Opt(L, 2, 1))
	end := tb.Len()
	if L.Get(3) != LNil {
		end = int(checkCInt(L, 3))
	}
	if start > end {
		return 0
	}
	// luapf: Lua 5.1 refuses more results than its C stack takes
	// (LUAI_MAXCSTACK, 8000) rather than running out of registers.
	if n := end - start + 1; n <= 0 || n+L.GetTop() > 8000 {
		L.RaiseError("too many results to unpack")
	}
	for i := start; i <= end; i++ {
		L.Push(tb.RawGetInt(i))
	}
	return end - start + 1
}

func baseXPCall(L *LState) int {
	fn := L.CheckFunction(1)
	errfunc := L.CheckFunction(2)

	top := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, MultRet, errfunc); err != nil {
		L.Push(LFalse)
		if aerr, ok := err.(*ApiError); ok {
			L.Push(aerr.Object)
		} else {
			L.Push(LString(err.Error()))
		}
		return 2
	} else {
		L.Insert(LTrue, top+1)
		return L.GetTop() - top
	}
}

/* }}} */

/* load lib {{{ */

func loModule(L *LState) int {
	name := L.CheckString(1)
	loaded := L.GetField(L.Get(RegistryIndex), "_LOADED")
	tb := L.GetField(loaded, name)
	if _, ok := tb.(*LTable); !ok {
		tb = L.FindTable(L.Get(GlobalsIndex).(*LTable), name, 1)
		if tb == LNil {
			L.RaiseError("name conflict for module: %v", name)
		}
		L.SetField(loaded, name, tb)
	}
	if L.GetField(tb, "_NAME") == LNil {
		L.SetField(tb, "_M", tb)
		L.SetField(tb, "_NAME", LString(name))
		names := strings.Split(name, ".")
		pname := ""
		if len(names) > 1 {
			pname = strings.Join(names[:len(names)-1], ".") + "."
		}
		L.SetField(tb, "_PACKAGE", LString(pname))
	}

	caller := L.currentFrame.Parent
	if caller == nil {
		L.RaiseError("no calling stack.")
	} else if caller.Fn.IsG {
		L.RaiseError("module() can not be called from GFunctions.")
	}
	L.SetFEnv(caller.Fn, tb)

	top := L.GetTop()
	for i := 2; i <= top; i++ {
		L.Push(L.Get(i))
		L.Push(tb)
		L.Call(1, 0)
	}
	L.Push(tb)
	return 1
}

var loopdetection = &LUserData{}

func loRequire(L *LState) int {
	name := L.CheckString(1)
	loaded := L.GetField(L.Get(RegistryIndex), "_LOADED")
	lv := L.GetField(loaded, name)
	if LVAsBool(lv) {
		if lv == loopdetection {
			L.RaiseError("loop or previous error loading module '%s'", name) // luapf: Lua 5.1's message
		}
		L.Push(lv)
		return 1
	}
	loaders, ok := L.GetField(L.Get(RegistryIndex), "_LOADERS").(*LTable)
	if !ok {
		L.RaiseError("package.loaders must be a table")
	}
	messages := []string{}
	var modasfunc LValue
	for i := 1; ; i++ {
		loader := L.RawGetInt(loaders, i)
		if loader == LNil {
			// luapf: Lua 5.1's message; each loader's starts "\n\t"
			L.RaiseError("module '%s' not found:%s", name, strings.Join(messages, ""))
		}
		L.Push(loader)
		L.Push(LString(name))
		L.Call(1, 1)
		ret := L.reg.Pop()
		switch retv := ret.(type) {
		case *LFunction:
			modasfunc = retv
			goto loopbreak
		case LString:
			messages = append(messages, string(retv))
		}
	}
loopbreak:
	L.SetField(loaded, name, loopdetection)
	L.Push(modasfunc)
	L.Push(LString(name))
	L.Call(1, 1)
	ret := L.reg.Pop()
	modv := L.GetField(loaded, name)
	if ret != LNil && modv == loopdetection {
		L.SetField(loaded, name, ret)
		L.Push(ret)
	} else if modv == loopdetection {
		L.SetField(loaded, name, LTrue)
		L.Push(LTrue)
	} else {
		L.Push(modv)
	}
	return 1
}

/* }}} */

/* hidden features {{{ */

func baseNewProxy(L *LState) int {
	ud := L.NewUserData()
	L.SetTop(1)
	if L.Get(1) == LTrue {
		L.SetMetatable(ud, L.NewTable())
	} else if d, ok := L.Get(1).(*LUserData); ok {
		L.SetMetatable(ud, L.GetMetatable(d))
	}
	L.Push(ud)
	return 1
}

/* }}} */

//
