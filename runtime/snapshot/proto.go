package snapshot

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Compiled code travels in the snapshot, so an executor never parses Lua
// source. A FunctionProto is plain exported data except for one private
// field, stringConstants, derived from Constants; setProtoStringConstants
// fills it in (internals.go). verifyProto checks that the code indexes only
// inside its own prototype, since the VM trusts compiled code: Validate
// decodes and verifies every prototype, and restore decodes each on first
// use.

// writeProto appends p's encoding: strings as offsets in the pool,
// constants as value words, children by prototype id.
func (e *encoder) writeProto(w *writer, p *lua.FunctionProto) {
	w.uint(uint64(e.pool.add(p.SourceName)))
	w.int(p.LineDefined)
	w.int(p.LastLineDefined)
	w.byte(p.NumUpvalues)
	w.byte(p.NumParameters)
	w.byte(p.IsVarArg)
	w.byte(p.NumUsedRegisters)
	w.uint(uint64(len(p.Code)))
	for _, inst := range p.Code {
		w.u32(inst)
	}
	w.uint(uint64(len(p.Constants)))
	for _, c := range p.Constants {
		w.u64(e.word(c))
	}
	w.uint(uint64(len(p.FunctionPrototypes)))
	for _, child := range p.FunctionPrototypes {
		w.uint(uint64(e.protoIDs[child]))
	}
	w.uint(uint64(len(p.DbgSourcePositions)))
	for _, line := range p.DbgSourcePositions {
		w.int(line)
	}
	w.uint(uint64(len(p.DbgLocals)))
	for _, l := range p.DbgLocals {
		w.uint(uint64(e.pool.add(l.Name)))
		w.int(l.StartPc)
		w.int(l.EndPc)
	}
	w.uint(uint64(len(p.DbgCalls)))
	for _, c := range p.DbgCalls {
		w.uint(uint64(e.pool.add(c.Name)))
		w.int(c.Pc)
	}
	w.uint(uint64(len(p.DbgUpvalues)))
	for _, name := range p.DbgUpvalues {
		w.uint(uint64(e.pool.add(name)))
	}
}

// readProto decodes prototype id; child returns a prototype with a smaller
// id (prototypes are numbered children first, so they cannot form a cycle).
// Every offset and count is checked, whether or not the snapshot was
// validated: prototypes are decoded once each, and rarely.
func readProto(l *layout, id int, child func(int) *lua.FunctionProto) (*lua.FunctionProto, error) {
	offsets := l.sec[secProtos]
	start := le32(offsets, id*protoOffsetSize)
	r := &reader{buf: l.sec[secProtoData]}
	if int64(start) > int64(len(r.buf)) {
		return nil, fmt.Errorf("%w: prototype %d at %d, past the end", ErrCorrupt, id, start)
	}
	r.off = int(start)
	str := func() string {
		off := r.uint()
		s, ok := l.checkedStr(off)
		if !ok {
			r.fail("bad string offset %d", off)
		}
		return s
	}
	var f lua.FunctionProto
	f.SourceName = str()
	f.LineDefined = r.int()
	f.LastLineDefined = r.int()
	f.NumUpvalues, f.NumParameters, f.IsVarArg, f.NumUsedRegisters = r.byte(), r.byte(), r.byte(), r.byte()
	f.Code = make([]uint32, r.count(4))
	for i := range f.Code {
		f.Code[i] = r.u32()
	}
	f.Constants = make([]lua.LValue, r.count(8))
	for i := range f.Constants {
		w := r.u64()
		c, ok := l.constant(w)
		if r.err == nil && !ok {
			r.fail("constant %d is not a number or string (word %#x)", i, w)
		}
		f.Constants[i] = c
	}
	f.FunctionPrototypes = make([]*lua.FunctionProto, r.count(1))
	for i := range f.FunctionPrototypes {
		if cid := r.bounded(id, "nested prototype"); r.err == nil {
			f.FunctionPrototypes[i] = child(cid)
		}
	}
	f.DbgSourcePositions = make([]int, r.count(1))
	for i := range f.DbgSourcePositions {
		f.DbgSourcePositions[i] = r.int()
	}
	f.DbgLocals = make([]*lua.DbgLocalInfo, r.count(3))
	for i := range f.DbgLocals {
		f.DbgLocals[i] = &lua.DbgLocalInfo{Name: str(), StartPc: r.int(), EndPc: r.int()}
	}
	f.DbgCalls = make([]lua.DbgCall, r.count(2))
	for i := range f.DbgCalls {
		f.DbgCalls[i] = lua.DbgCall{Name: str(), Pc: r.int()}
	}
	f.DbgUpvalues = make([]string, r.count(1))
	for i := range f.DbgUpvalues {
		f.DbgUpvalues[i] = str()
	}
	if r.err != nil {
		return nil, fmt.Errorf("prototype %d: %w", id, r.err)
	}
	if err := verifyProto(&f); err != nil {
		return nil, fmt.Errorf("%w: prototype %d: %v", ErrCorrupt, id, err)
	}
	setProtoStringConstants(&f)
	return &f, nil
}

// verifyProto rejects prototypes whose code would index outside their own
// tables when run: the VM trusts compiled code and would panic.
func verifyProto(p *lua.FunctionProto) error {
	if len(p.DbgSourcePositions) != len(p.Code) {
		return fmt.Errorf("%d source positions for %d instructions", len(p.DbgSourcePositions), len(p.Code))
	}
	if len(p.Code) == 0 || opcodeOf(p.Code[len(p.Code)-1]) != lua.OP_RETURN {
		return fmt.Errorf("code does not end with RETURN")
	}
	for pc, inst := range p.Code {
		op := opcodeOf(inst)
		bx := int(inst & 0x3ffff)
		switch {
		case op > lua.OP_NOP:
			return fmt.Errorf("instruction %d: opcode %d", pc, op)
		case (op == lua.OP_LOADK || op == lua.OP_GETGLOBAL || op == lua.OP_SETGLOBAL) && bx >= len(p.Constants):
			return fmt.Errorf("instruction %d: constant %d of %d", pc, bx, len(p.Constants))
		case (op == lua.OP_GETGLOBAL || op == lua.OP_SETGLOBAL) && !isString(p.Constants[bx]):
			return fmt.Errorf("instruction %d: global name constant %d is not a string", pc, bx)
		case op == lua.OP_CLOSURE && bx >= len(p.FunctionPrototypes):
			return fmt.Errorf("instruction %d: prototype %d of %d", pc, bx, len(p.FunctionPrototypes))
		case op == lua.OP_CLOSURE && pc+int(p.FunctionPrototypes[bx].NumUpvalues) >= len(p.Code):
			return fmt.Errorf("instruction %d: closure upvalue list runs past the code", pc)
		case (op == lua.OP_JMP || op == lua.OP_FORLOOP || op == lua.OP_FORPREP) && !inRange(pc+1+bx-maxArgSbx, len(p.Code)):
			return fmt.Errorf("instruction %d: jump outside the code", pc)
		case op == lua.OP_GETUPVAL || op == lua.OP_SETUPVAL:
			if argB(inst) >= int(p.NumUpvalues) {
				return fmt.Errorf("instruction %d: upvalue %d of %d", pc, argB(inst), p.NumUpvalues)
			}
		}
		for _, rk := range rkOperands(op, inst) {
			if rk >= rkConstant && rk-rkConstant >= len(p.Constants) {
				return fmt.Errorf("instruction %d: constant %d of %d", pc, rk-rkConstant, len(p.Constants))
			}
		}
		if k := fieldNameOperand(op, inst); k >= rkConstant && !isString(p.Constants[k-rkConstant]) {
			return fmt.Errorf("instruction %d: field name constant is not a string", pc)
		}
	}
	return nil
}

// rkConstant marks an RK operand that names a constant (Lua 5.1's BITRK).
const rkConstant = 256

// fieldNameOperand returns the operand that the VM reads as a string field
// name (through stringConstants when it is a constant), or -1.
func fieldNameOperand(op int, inst uint32) int {
	switch op {
	case lua.OP_GETTABLEKS, lua.OP_SELF:
		return argC(inst)
	case lua.OP_SETTABLEKS:
		return argB(inst)
	}
	return -1
}

// rkOperands returns the operands of inst that may name a constant.
func rkOperands(op int, inst uint32) []int {
	switch op {
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
		return []int{argC(inst)}
	case lua.OP_SETTABLE, lua.OP_SETTABLEKS, lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV,
		lua.OP_MOD, lua.OP_POW, lua.OP_EQ, lua.OP_LT, lua.OP_LE:
		return []int{argB(inst), argC(inst)}
	}
	return nil
}

func isString(v lua.LValue) bool { _, ok := v.(lua.LString); return ok }

func inRange(i, n int) bool { return i >= 0 && i < n }
