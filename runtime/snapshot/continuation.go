package snapshot

import (
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// Continuation is a restored main chunk, ready to run from the statement
// after the one that captured it.
//
// It is a copy of the main chunk's prototype that takes the chunk's active
// locals as its first parameters (they occupy registers 0..n-1 exactly as in
// the original frame) and the call's arguments as its varargs, and starts
// with a short prologue: for each local that closures captured while it was
// live, it makes a one-upvalue probe closure over that register and hands it
// to a Go binder, which puts the probe's live upvalue into every restored
// closure that shared the local. The prologue then jumps to the instruction
// after the original call.
type Continuation struct {
	fn     *lua.LFunction
	locals []lua.LValue
	arg    *lua.LTable
}

// Function returns the function to call.
func (c *Continuation) Function() *lua.LFunction { return c.fn }

// Args returns the arguments to call Function with: the restored locals,
// then callArgs, which the chunk sees as ... .
func (c *Continuation) Args(callArgs ...lua.LValue) []lua.LValue {
	out := make([]lua.LValue, 0, len(c.locals)+len(callArgs))
	return append(append(out, c.locals...), callArgs...)
}

// Arg returns the table the script had as its global arg when it started
// (nil if it had none), so that the caller can refill it with the call's
// arguments: the table keeps its identity, wherever the script stored it.
func (c *Continuation) Arg() *lua.LTable { return c.arg }

// continuationSpec is what the decoder hands newContinuation.
type continuationSpec struct {
	main     *lua.LFunction
	pc, line int
	locals   []lua.LValue
	arg      *lua.LTable
	open     openCells // register -> cell
	// bind makes a cell the live upvalue of its register in every
	// restored closure that holds it (heap.rebind).
	bind func(cell int, live *lua.Upvalue)
}

// Registers above the locals used by the prologue.
const prologueScratch = 3

func newContinuation(L *lua.LState, s continuationSpec) (*Continuation, error) {
	p := s.main.Proto
	n := len(s.locals)
	if s.pc < 1 || s.pc > len(p.Code) {
		return nil, fmt.Errorf("%w: resume point %d outside the main chunk", ErrCorrupt, s.pc)
	}
	if call := p.Code[s.pc-1]; opcodeOf(call) != lua.OP_CALL || argC(call) != 1 || argA(call) != n {
		return nil, fmt.Errorf("%w: resume point does not follow a call statement with %d locals", ErrCorrupt, n)
	}
	if n+prologueScratch > 250 {
		return nil, fmt.Errorf("%w: %d locals", ErrCorrupt, n)
	}
	regs := make([]int, 0, len(s.open))
	for r := range s.open {
		if r >= n {
			return nil, fmt.Errorf("%w: upvalue aliases register %d of %d locals", ErrCorrupt, r, n)
		}
		regs = append(regs, r)
	}
	sort.Ints(regs)

	// Prologue: per captured local, a probe closure over its register,
	// passed to the binder (upvalue 0); then a jump to the resume point.
	probeIdx := len(p.FunctionPrototypes)
	scratch := n
	var prologue []uint32
	for _, r := range regs {
		prologue = append(prologue,
			instClosure(scratch, probeIdx),
			instCaptureRegister(r),
			instGetUpval(scratch+1, 0),
			instMove(scratch+2, scratch),
			instCall(scratch+1, 1, 0),
		)
	}
	// The jump is the last prologue instruction; the original code follows
	// it, so an offset of pc lands on original instruction pc.
	prologue = append(prologue, instJmp(s.pc))
	shift := len(prologue)

	cont := *p // keeps the compiler-derived stringConstants
	cont.NumParameters = uint8(n)
	cont.NumUpvalues = 1
	if used := n + prologueScratch; int(cont.NumUsedRegisters) < used {
		cont.NumUsedRegisters = uint8(used)
	}
	cont.Code = append(prologue, p.Code...)
	cont.DbgSourcePositions = make([]int, 0, len(cont.Code))
	for range prologue {
		cont.DbgSourcePositions = append(cont.DbgSourcePositions, s.line)
	}
	cont.DbgSourcePositions = append(cont.DbgSourcePositions, p.DbgSourcePositions...)
	cont.FunctionPrototypes = append(append([]*lua.FunctionProto(nil), p.FunctionPrototypes...), probeProto())
	cont.DbgLocals = make([]*lua.DbgLocalInfo, len(p.DbgLocals))
	for i, l := range p.DbgLocals {
		cont.DbgLocals[i] = &lua.DbgLocalInfo{Name: l.Name, StartPc: l.StartPc + shift, EndPc: l.EndPc + shift}
	}
	cont.DbgCalls = make([]lua.DbgCall, len(p.DbgCalls))
	for i, c := range p.DbgCalls {
		cont.DbgCalls[i] = lua.DbgCall{Name: c.Name, Pc: c.Pc + shift}
	}
	cont.DbgUpvalues = []string{"(luapf resume binder)"}

	binder := &binder{regs: regs, open: s.open, rebind: s.bind}
	slot := &lua.Upvalue{}
	slot.SetValue(L.NewFunction(binder.bind))
	fn := &lua.LFunction{Proto: &cont, Env: s.main.Env, Upvalues: []*lua.Upvalue{slot}}
	return &Continuation{fn: fn, locals: s.locals, arg: s.arg}, nil
}

// binder receives the prologue's probes in register order and makes every
// restored closure that shared a main-chunk local use the live upvalue.
type binder struct {
	regs   []int
	next   int
	open   openCells
	rebind func(cell int, live *lua.Upvalue)
}

func (b *binder) bind(L *lua.LState) int {
	probe := L.CheckFunction(1)
	if b.next >= len(b.regs) || len(probe.Upvalues) != 1 {
		L.RaiseError("luapf: internal error: resume binder called out of order")
	}
	b.rebind(b.open[b.regs[b.next]], probe.Upvalues[0])
	b.next++
	return 0
}

// probeProto is the prototype of the prologue's probe closures: one
// upvalue, never called.
func probeProto() *lua.FunctionProto {
	return &lua.FunctionProto{
		SourceName:         "=(luapf resume probe)",
		NumUpvalues:        1,
		NumUsedRegisters:   2,
		Code:               []uint32{instReturnNone()},
		Constants:          []lua.LValue{},
		DbgSourcePositions: []int{0},
		DbgUpvalues:        []string{"local"},
	}
}
