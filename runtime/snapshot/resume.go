package snapshot

import (
	lua "github.com/yuin/gopher-lua"
)

// resumePoint is where the main chunk stopped: at a statement that called
// the Go function now running. The continuation starts at pc with the
// chunk's active locals in registers 0..len(locals)-1.
type resumePoint struct {
	pc        int          // index of the instruction after the CALL
	locals    []lua.LValue // values of the active locals, by register
	localBase int          // absolute register of the chunk's register 0
	line      int          // source line of the call, for the prologue
}

// findResumePoint checks that the running Go function was called as a
// statement of main, on the main thread, and returns where to resume.
func findResumePoint(L *lua.LState, main *lua.LFunction) (resumePoint, error) {
	if L != L.G.MainThread {
		return resumePoint{}, &PlacementError{Where: "from inside a coroutine"}
	}
	dbg, ok := L.GetStack(1)
	if !ok {
		return resumePoint{}, &PlacementError{Where: "from Go, not from Lua"}
	}
	caller, err := L.GetInfo("f", dbg, lua.LNil)
	if err != nil {
		return resumePoint{}, &PlacementError{Where: "from an unknown place (" + err.Error() + ")"}
	}
	fn, _ := caller.(*lua.LFunction)
	switch {
	case fn == nil || fn.IsG:
		return resumePoint{}, &PlacementError{Where: "through a Go function (such as pcall)"}
	case fn.Proto != main.Proto:
		if fn.Proto.LineDefined == 0 {
			return resumePoint{}, &PlacementError{Where: "from the main chunk of " + fn.Proto.SourceName + " (a module or loaded chunk)"}
		}
		return resumePoint{}, &PlacementError{Where: "from inside a function"}
	}
	pc := framePc(dbg)
	code := main.Proto.Code
	if pc < 1 || pc > len(code) {
		return resumePoint{}, &PlacementError{Where: "from an unexpected place in the main chunk"}
	}
	call := code[pc-1]
	switch op := opcodeOf(call); {
	case op == lua.OP_TAILCALL:
		return resumePoint{}, &PlacementError{Where: "in a return statement"}
	case op != lua.OP_CALL:
		return resumePoint{}, &PlacementError{Where: "from an unexpected place in the main chunk"}
	case argC(call) != 1:
		return resumePoint{}, &PlacementError{Where: "as an expression whose value is used"}
	}
	// A call statement puts the function in the first free register, so
	// its A operand is the number of locals in scope (gopher-lua's debug
	// ranges for locals are not reliable enough to count them).
	n := argA(call)
	rp := resumePoint{pc: pc, localBase: frameLocalBase(dbg), line: main.Proto.DbgSourcePositions[pc-1]}
	rp.locals = make([]lua.LValue, n)
	for i := range rp.locals {
		_, v := L.GetLocal(dbg, i+1)
		rp.locals[i] = v
	}
	return rp, nil
}

// localNames returns a best-effort name for each of the n active locals at
// pc, for error messages only: gopher-lua's local ranges are sometimes
// wrong, so when they do not add up to n, names are left empty.
func localNames(p *lua.FunctionProto, pc, n int) []string {
	var names []string
	for _, l := range p.DbgLocals {
		if l.StartPc > pc-1 || (l.EndPc > 0 && l.EndPc < pc-1) {
			continue
		}
		names = append(names, l.Name)
	}
	if len(names) != n {
		return make([]string, n)
	}
	return names
}
