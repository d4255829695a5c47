package snapshot

import (
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// Continuation is a restored main chunk, ready to run from the statement
// after the one that captured it.
//
// It is the restored main closure itself, the very object a script may have
// kept (from debug.getinfo(1, "f"), say), running a copy of its prototype
// that the debug library cannot tell from the original: the same
// instructions at the same places, with a prologue appended after them, the
// same upvalues (none), parameters, locals and lines. Its first instruction
// jumps to the prologue, which loads the chunk's active locals (carried as
// extra constants, so that the call's arguments remain the chunk's ...),
// and, for each local that closures captured while it was live, makes a
// one-upvalue probe closure over its register and hands it to a Go binder,
// which puts the probe's live upvalue into every restored closure that
// shared the local. A last call to the binder puts the original first
// instruction back and drops the extra constants, and the prologue ends with
// a jump to the instruction after the original call. From then on the
// prototype is the original's code with an unreachable tail, so calling the
// main chunk again starts it from its top, as it would cold.
type Continuation struct {
	fn  *lua.LFunction
	arg *lua.LTable
}

// Function returns the function to call.
func (c *Continuation) Function() *lua.LFunction { return c.fn }

// Args returns the arguments to call Function with: the call's arguments,
// which the chunk sees as ... .
func (c *Continuation) Args(callArgs ...lua.LValue) []lua.LValue { return callArgs }

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

	cont := *p // keeps the compiler-derived stringConstants
	binder := &binder{regs: regs, open: s.open, rebind: s.bind, proto: &cont,
		firstInst: p.Code[0], constants: len(p.Constants)}
	// The prologue's constants follow the chunk's: the binder, then the
	// locals' values.
	cont.Constants = append(append(append([]lua.LValue(nil), p.Constants...), L.NewFunction(binder.bind)), s.locals...)
	binderK := len(p.Constants)
	probeIdx := len(p.FunctionPrototypes)
	scratch := n
	prologue := make([]uint32, 0, n+5*len(regs)+3)
	for i := range s.locals {
		prologue = append(prologue, instLoadK(i, binderK+1+i))
	}
	for _, r := range regs {
		prologue = append(prologue,
			instClosure(scratch, probeIdx),
			instCaptureRegister(r),
			instLoadK(scratch+1, binderK),
			instMove(scratch+2, scratch),
			instCall(scratch+1, 1, 0),
		)
	}
	start := len(p.Code)
	prologue = append(prologue, instLoadK(scratch+1, binderK), instCall(scratch+1, 0, 0))
	// The jump's offset counts from the instruction after it.
	prologue = append(prologue, instJmp(s.pc-(start+len(prologue)+1)))

	cont.NumUpvalues = p.NumUpvalues
	if used := n + prologueScratch; int(cont.NumUsedRegisters) < used {
		cont.NumUsedRegisters = uint8(used)
	}
	cont.Code = append(append(append(make([]uint32, 0, start+len(prologue)), instJmp(start-1)), p.Code[1:]...), prologue...)
	cont.DbgSourcePositions = append([]int(nil), p.DbgSourcePositions...)
	for range prologue {
		cont.DbgSourcePositions = append(cont.DbgSourcePositions, s.line)
	}
	cont.FunctionPrototypes = append(append([]*lua.FunctionProto(nil), p.FunctionPrototypes...), probeProto())

	s.main.Proto = &cont
	return &Continuation{fn: s.main, arg: s.arg}, nil
}

// binder receives the prologue's probes in register order and makes every
// restored closure that shared a main-chunk local use the live upvalue.
// Called with no probe, it ends the prologue: the chunk's first
// instruction goes back in place of the jump to the prologue, and the
// prologue's constants are dropped.
type binder struct {
	regs   []int
	next   int
	open   openCells
	rebind func(cell int, live *lua.Upvalue)

	proto     *lua.FunctionProto // the continuation's prototype
	firstInst uint32             // the chunk's first instruction
	constants int                // how many constants the chunk has
}

func (b *binder) bind(L *lua.LState) int {
	if L.GetTop() == 0 {
		if b.next != len(b.regs) {
			L.RaiseError("luapf: internal error: resume binder finished early")
		}
		b.proto.Code[0] = b.firstInst
		b.proto.Constants = b.proto.Constants[:b.constants:b.constants]
		return 0
	}
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
