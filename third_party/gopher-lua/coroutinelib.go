package lua

func OpenCoroutine(L *LState) int {
	// TODO: Tie module name to contents of linit.go?
	mod := L.RegisterModule(CoroutineLibName, coFuncs)
	L.Push(mod)
	return 1
}

var coFuncs = map[string]LGFunction{
	"create":  coCreate,
	"yield":   coYield,
	"resume":  coResume,
	"running": coRunning,
	"status":  coStatus,
	"wrap":    coWrap,
}

func coCreate(L *LState) int {
	fn, ok := L.Get(1).(*LFunction)
	if !ok || fn.IsG {
		L.ArgError(1, "Lua function expected") // luapf: Lua 5.1's check
	}
	newthread, _ := L.NewThread()
	base := 0
	newthread.stack.Push(callFrame{
		Fn:         fn,
		Pc:         0,
		Base:       base,
		LocalBase:  base + 1,
		ReturnBase: base,
		NArgs:      0,
		NRet:       MultRet,
		Parent:     nil,
		TailCall:   0,
	})
	L.Push(newthread)
	return 1
}

func coYield(L *LState) int {
	// luapf: Lua 5.1 cannot yield across a C call (pcall, a metamethod, a
	// library function's callback) or from the main thread. gopher-lua
	// returned from the innermost such call instead, and a later resume
	// crashed.
	if L.Parent == nil || !canYield51(L) {
		L.raiseError(0, "attempt to yield across metamethod/C-call boundary")
	}
	return -1
}

// canYield51 reports whether no frame below the running yield is a C-call
// boundary.
func canYield51(L *LState) bool {
	for f := L.currentFrame; f != nil; f = f.Parent {
		if f.Nested || (f != L.currentFrame && f.Fn.IsG) {
			return false
		}
	}
	return true
}

// checkCoroutine51 is Lua 5.1's check of a coroutine argument.
func checkCoroutine51(L *LState, n int) *LState {
	th, ok := L.Get(n).(*LState)
	if !ok {
		L.ArgError(n, "coroutine expected")
	}
	return th
}

func coResume(L *LState) int {
	th := checkCoroutine51(L, 1) // luapf: Lua 5.1's checks and messages
	if status := L.Status(th); status != "suspended" {
		msg := "cannot resume " + status + " coroutine"
		if th.wrapped {
			L.RaiseError(msg)
			return 0
		}
		L.Push(LFalse)
		L.Push(LString(msg))
		return 2
	}
	if th.Dead {
		msg := "cannot resume dead coroutine"
		if th.wrapped {
			L.RaiseError(msg)
			return 0
		}
		L.Push(LFalse)
		L.Push(LString(msg))
		return 2
	}
	th.Parent = L
	L.G.CurrentThread = th
	if !th.isStarted() {
		cf := th.stack.Last()
		th.currentFrame = cf
		th.SetTop(0)
		nargs := L.GetTop() - 1
		L.XMoveTo(th, nargs)
		cf.NArgs = nargs
		th.initCallFrame(cf)
		th.Panic = panicWithoutTraceback
	} else {
		nargs := L.GetTop() - 1
		L.XMoveTo(th, nargs)
	}
	top := L.GetTop()
	threadRun(th)
	return L.GetTop() - top
}

func coRunning(L *LState) int {
	if L.G.MainThread == L {
		L.Push(LNil)
		return 1
	}
	L.Push(L.G.CurrentThread)
	return 1
}

func coStatus(L *LState) int {
	L.Push(LString(L.Status(checkCoroutine51(L, 1)))) // luapf
	return 1
}

func wrapaux(L *LState) int {
	L.Insert(L.ToThread(UpvalueIndex(1)), 1)
	return coResume(L)
}

func coWrap(L *LState) int {
	coCreate(L)
	L.CheckThread(L.GetTop()).wrapped = true
	v := L.Get(L.GetTop())
	L.Pop(1)
	L.Push(L.NewClosure(wrapaux, v))
	return 1
}

//
