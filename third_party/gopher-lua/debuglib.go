package lua

func OpenDebug(L *LState) int {
	dbgmod := L.RegisterModule(DebugLibName, debugFuncs)
	L.Push(dbgmod)
	return 1
}

var debugFuncs = map[string]LGFunction{
	"getfenv":      debugGetFEnv,
	"getinfo":      debugGetInfo,
	"getlocal":     debugGetLocal,
	"getmetatable": debugGetMetatable,
	"getupvalue":   debugGetUpvalue,
	"setfenv":      debugSetFEnv,
	"setlocal":     debugSetLocal,
	"setmetatable": debugSetMetatable,
	"setupvalue":   debugSetUpvalue,
	"traceback":    debugTraceback,
	// luapf: the rest of Lua 5.1's debug library (luapf_debug.go).
	"debug":       debugDebug51,
	"gethook":     debugGetHook51,
	"getregistry": debugGetRegistry51,
	"sethook":     debugSetHook51,
}

func debugGetFEnv(L *LState) int {
	L.Push(L.GetFEnv(L.CheckAny(1)))
	return 1
}

func debugGetInfo(L *LState) int {
	// luapf: as Lua 5.1's db_getinfo: an optional thread, only the fields
	// asked for, with Lua 5.1's names and values ("C" functions, short_src,
	// namewhat, levels counted as Lua counts them).
	arg, L1 := 0, L
	if th, ok := L.Get(1).(*LState); ok {
		arg, L1 = 1, th
	}
	what := L.optString51(arg+2, "flnSu")
	var e stackEntry
	var fn *LFunction
	switch v := L.Get(arg + 1).(type) {
	case *LFunction:
		fn = v
	case LNumber:
		var ok bool
		if e, ok = L1.stackLevel(int(v)); !ok {
			L.Push(LNil)
			return 1
		}
		if e.frame != nil {
			fn = e.frame.Fn
		}
	default:
		if n, ok := toNumber51(v); ok {
			var ok bool
			if e, ok = L1.stackLevel(int(n)); !ok {
				L.Push(LNil)
				return 1
			}
			if e.frame != nil {
				fn = e.frame.Fn
			}
		} else {
			L.ArgError(arg+1, "function or level expected")
		}
	}
	tbl := L.NewTable()
	for _, c := range what {
		switch c {
		case 'S':
			switch {
			case e.tail:
				setInfo(tbl, "=(tail call)", "(tail call)", -1, -1, "tail")
			case fn == nil || fn.IsG:
				setInfo(tbl, "=[C]", "[C]", -1, -1, "C")
			default:
				kind := "Lua"
				if fn.Proto.LineDefined == 0 {
					kind = "main"
				}
				setInfo(tbl, fn.Proto.SourceName, chunkID(fn.Proto.SourceName), fn.Proto.LineDefined, fn.Proto.LastLineDefined, kind)
			}
		case 'l':
			line := -1
			if e.frame != nil {
				line = currentLine(e.frame)
			}
			tbl.RawSetString("currentline", LNumber(line))
		case 'u':
			nups := 0
			if fn != nil {
				nups = len(fn.Upvalues)
			}
			tbl.RawSetString("nups", LNumber(nups))
		case 'n':
			kind, name := funcName51(e.frame)
			if kind != "" {
				tbl.RawSetString("name", LString(name))
			}
			tbl.RawSetString("namewhat", LString(kind))
		case 'f':
			if fn != nil {
				tbl.RawSetString("func", fn)
			}
		case 'L':
			if fn != nil && !fn.IsG {
				lines := L.NewTable()
				for _, line := range fn.Proto.DbgSourcePositions {
					lines.RawSetInt(line, LTrue)
				}
				tbl.RawSetString("activelines", lines)
			}
		default:
			L.ArgError(arg+2, "invalid option")
		}
	}
	L.Push(tbl)
	return 1
}

// setInfo fills the 'S' fields of a debug.getinfo table.
func setInfo(tbl *LTable, source, shortSrc string, linedefined, lastlinedefined int, what string) {
	tbl.RawSetString("source", LString(source))
	tbl.RawSetString("short_src", LString(shortSrc))
	tbl.RawSetString("linedefined", LNumber(linedefined))
	tbl.RawSetString("lastlinedefined", LNumber(lastlinedefined))
	tbl.RawSetString("what", LString(what))
}

func debugGetLocal(L *LState) int {
	level := L.CheckInt(1)
	idx := L.CheckInt(2)
	dbg, ok := L.GetStack(level)
	if !ok {
		L.ArgError(1, "level out of range")
	}
	name, value := L.GetLocal(dbg, idx)
	if len(name) > 0 {
		L.Push(LString(name))
		L.Push(value)
		return 2
	}
	L.Push(LNil)
	return 1
}

func debugGetMetatable(L *LState) int {
	L.Push(L.GetMetatable(L.CheckAny(1)))
	return 1
}

func debugGetUpvalue(L *LState) int {
	fn := L.CheckFunction(1)
	idx := L.CheckInt(2)
	name, value := L.GetUpvalue(fn, idx)
	if len(name) > 0 {
		L.Push(LString(name))
		L.Push(value)
		return 2
	}
	return 0 // luapf: nothing, as Lua 5.1
}

func debugSetFEnv(L *LState) int {
	L.SetFEnv(L.CheckAny(1), L.CheckAny(2))
	return 0
}

func debugSetLocal(L *LState) int {
	level := L.CheckInt(1)
	idx := L.CheckInt(2)
	value := L.CheckAny(3)
	dbg, ok := L.GetStack(level)
	if !ok {
		L.ArgError(1, "level out of range")
	}
	name := L.SetLocal(dbg, idx, value)
	if len(name) > 0 {
		L.Push(LString(name))
	} else {
		L.Push(LNil)
	}
	return 1
}

func debugSetMetatable(L *LState) int {
	L.CheckTypes(2, LTNil, LTTable)
	obj := L.Get(1)
	mt := L.Get(2)
	L.SetMetatable(obj, mt)
	L.SetTop(1)
	return 1
}

func debugSetUpvalue(L *LState) int {
	fn := L.CheckFunction(1)
	idx := L.CheckInt(2)
	value := L.CheckAny(3)
	name := L.SetUpvalue(fn, idx, value)
	if len(name) > 0 {
		L.Push(LString(name))
		return 1
	}
	return 0 // luapf: nothing, as Lua 5.1
}

func debugTraceback(L *LState) int {
	// luapf: as Lua 5.1's db_errorfb: a message that is not a string is
	// returned as it is, and the traceback is worded as Lua's.
	arg, L1 := 0, L
	if th, ok := L.Get(1).(*LState); ok {
		arg, L1 = 1, th
	}
	level := 1
	if L1 != L {
		level = 0
	}
	if n, ok := toNumber51(L.Get(arg + 2)); ok {
		level = int(n)
	}
	head := ""
	if L.GetTop() > arg {
		msg := L.Get(arg + 1)
		if !LVCanConvToString(msg) {
			L.Push(msg)
			return 1
		}
		head = LVAsString(msg) + "\n"
	}
	L.Push(LString(L1.traceback51(head, level)))
	return 1
}
