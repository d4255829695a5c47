package snapshot

import lua "github.com/yuin/gopher-lua"

// gopher-lua uses Lua 5.1's instruction layout: 6 bits of opcode at the top,
// then an 8-bit A, then either a 9-bit C and a 9-bit B (B lowest) or an
// 18-bit Bx (sBx is Bx with a bias). gopher-lua keeps its encoders private,
// so the few the continuation needs are written out here;
// TestInstructionLayout checks them against code gopher-lua compiled.

const maxArgSbx = (1<<18 - 1) >> 1

func opcodeOf(inst uint32) int { return int(inst >> 26) }
func argA(inst uint32) int     { return int(inst>>18) & 0xff }
func argB(inst uint32) int     { return int(inst & 0x1ff) }
func argC(inst uint32) int     { return int(inst>>9) & 0x1ff }

func encodeABC(op, a, b, c int) uint32 {
	return uint32(op)<<26 | uint32(a&0xff)<<18 | uint32(c&0x1ff)<<9 | uint32(b&0x1ff)
}

func encodeABx(op, a, bx int) uint32 {
	return uint32(op)<<26 | uint32(a&0xff)<<18 | uint32(bx&0x3ffff)
}

func encodeAsBx(op, a, sbx int) uint32 { return encodeABx(op, a, sbx+maxArgSbx) }

// The instructions the continuation's prologue is made of.
func instJmp(offset int) uint32          { return encodeAsBx(lua.OP_JMP, 0, offset) }
func instClosure(a, proto int) uint32    { return encodeABx(lua.OP_CLOSURE, a, proto) }
func instCaptureRegister(r int) uint32   { return encodeABC(lua.OP_MOVE, 0, r, 0) }
func instGetUpval(a, upvalue int) uint32 { return encodeABC(lua.OP_GETUPVAL, a, upvalue, 0) }
func instMove(a, b int) uint32           { return encodeABC(lua.OP_MOVE, a, b, 0) }
func instLoadK(a, k int) uint32          { return encodeABx(lua.OP_LOADK, a, k) }
func instCall(a, nargs, nresults int) uint32 {
	return encodeABC(lua.OP_CALL, a, nargs+1, nresults+1)
}
func instReturnNone() uint32 { return encodeABC(lua.OP_RETURN, 0, 1, 0) }
