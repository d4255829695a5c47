package lua

// luapf: error messages, positions and names as PUC-Rio Lua 5.1 gives them
// (ldebug.c, lauxlib.c, lobject.c), so that a script that reports or
// matches an error message sees lua5.1's words: "attempt to index field
// 'x' (a nil value)", "bad argument #1 to 'floor' (number expected, got no
// value)", positions as [string "..."]:1:. See PATCHES.md, "Lua 5.1
// conformance".

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/yuin/gopher-lua/parse"
)

// luaIDSize is LUA_IDSIZE, the size of a chunk id with its terminator.
const luaIDSize = 60

// chunkID is luaO_chunkid: how a chunk's name appears in messages.
// "=name" is name itself, "@file" the file name (its end, when long), and
// anything else is source text, shown as [string "first line..."].
func chunkID(source string) string {
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > luaIDSize-1 {
			s = s[:luaIDSize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		room := luaIDSize - len(" '...' ") - 1
		if len(s) > room {
			return "..." + s[len(s)-room:]
		}
		return s
	}
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	room := luaIDSize - len(" [string \"...\"] ") - 1
	if n > room {
		n = room
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}

// shortSrc is the chunk id of the function running in frame, "[C]" for a
// Go function (Lua 5.1 calls every non-Lua function C).
func shortSrc(fn *LFunction) string {
	if fn.IsG {
		return "[C]"
	}
	return chunkID(fn.Proto.SourceName)
}

// currentLine is the line frame is running, or -1 for a Go function.
func currentLine(frame *callFrame) int {
	if frame.Fn.IsG || frame.Pc < 1 || frame.Pc > len(frame.Fn.Proto.DbgSourcePositions) {
		return -1
	}
	return frame.Fn.Proto.DbgSourcePositions[frame.Pc-1]
}

// stackEntry is one level of the stack as Lua 5.1 counts them.
type stackEntry struct {
	frame *callFrame // nil for the two kinds below
	tail  bool       // a frame lost to a tail call, "(tail call)"
	host  bool       // the Go code that called the main thread's first frame
}

// stackLevel is lua_getstack: the entry at level (0 is the running
// function). Lua 5.1 counts one level for each tail call a frame made, and
// below a main thread's first frame the C function that called it (lua.c's
// pmain); gopher-lua's first frame is likewise called by Go.
func (ls *LState) stackLevel(level int) (stackEntry, bool) {
	if level < 0 {
		return stackEntry{}, false
	}
	for f := ls.currentFrame; f != nil; f = f.Parent {
		if level == 0 {
			return stackEntry{frame: f}, true
		}
		level--
		if !f.Fn.IsG && f.TailCall > 0 {
			if level < f.TailCall {
				return stackEntry{tail: true}, true
			}
			level -= f.TailCall
		}
	}
	if level == 0 && ls.currentFrame != nil && ls.G.MainThread == ls {
		return stackEntry{host: true}, true
	}
	return stackEntry{}, false
}

// luaWhere is luaL_where: "chunk:line: " for the function at level (0 is
// the running one), or "" when it is not a Lua function.
func (ls *LState) luaWhere(level int) string {
	e, ok := ls.stackLevel(level)
	if !ok || e.frame == nil {
		return ""
	}
	if line := currentLine(e.frame); line > 0 {
		return fmt.Sprintf("%s:%d: ", shortSrc(e.frame.Fn), line)
	}
	return ""
}

// runError51 is luaG_runerror: an error of the core, placed at the running
// function's line when that is Lua code, and nowhere when a Go function is
// running (the core was reached from a library function).
func (ls *LState) runError51(format string, args ...interface{}) {
	where := ""
	if ls.currentFrame != nil && !ls.currentFrame.Fn.IsG {
		where = ls.luaWhere(0)
	}
	ls.raiseError(0, "%s", where+fmt.Sprintf(format, args...))
}

// errorWhere is where an error raised at level is placed: an error raised
// in Lua code by the VM (luaG_runerror) at the running function's line, one
// raised by a Go function (luaL_error) at its caller's, and nowhere when
// that is not Lua code.
func (ls *LState) errorWhere(level int) string {
	if ls.currentFrame != nil && !ls.currentFrame.Fn.IsG {
		level--
	}
	return ls.luaWhere(level)
}

// findSetReg returns the pc of the instruction that last set register reg
// before lastpc, or -1 when it is not known (code inside a forward jump may
// not have run): Lua 5.2's findsetreg, which Lua 5.1's symbexec agrees with
// for every case it names.
func findSetReg(p *FunctionProto, lastpc, reg int) int {
	setreg, jmptarget := -1, 0
	filter := func(pc int) int {
		if pc < jmptarget {
			return -1
		}
		return pc
	}
	for pc := 0; pc < lastpc && pc < len(p.Code); pc++ {
		inst := p.Code[pc]
		op, a := opGetOpCode(inst), opGetArgA(inst)
		switch op {
		case OP_LOADNIL:
			if a <= reg && reg <= opGetArgB(inst) {
				setreg = filter(pc)
			}
		case OP_TFORLOOP:
			if reg >= a+2 {
				setreg = filter(pc)
			}
		case OP_CALL, OP_TAILCALL:
			if reg >= a {
				setreg = filter(pc)
			}
		case OP_JMP:
			dest := pc + 1 + opGetArgSbx(inst)
			if pc < dest && dest <= lastpc && dest > jmptarget {
				jmptarget = dest
			}
		default:
			if op <= opCodeMax && opProps[op].SetRegA && reg == a {
				setreg = filter(pc)
			}
		}
	}
	return setreg
}

// constantName is kname: the constant string at rk, or "?".
func constantName(p *FunctionProto, rk int) string {
	if opIsK(rk) {
		if s, ok := p.Constants[rk&^opBitRk].(LString); ok {
			return string(s)
		}
	}
	return "?"
}

// objectName is getobjname: how Lua 5.1 names the value in register reg of
// fn at pc ("local", "global", "field", "upvalue" or "method" and the
// name), or "" when it cannot.
func objectName(fn *LFunction, pc, reg int) (kind, name string) {
	if fn.IsG {
		return "", ""
	}
	if name, ok := fn.LocalName(reg+1, pc); ok {
		return "local", name
	}
	p := fn.Proto
	setpc := findSetReg(p, pc, reg)
	if setpc < 0 {
		return "", ""
	}
	inst := p.Code[setpc]
	switch opGetOpCode(inst) {
	case OP_GETGLOBAL:
		if s, ok := p.Constants[opGetArgBx(inst)].(LString); ok {
			return "global", string(s)
		}
	case OP_MOVE, OP_MOVEN:
		if b := opGetArgB(inst); b < opGetArgA(inst) {
			return objectName(fn, pc, b)
		}
	case OP_GETTABLE, OP_GETTABLEKS:
		return "field", constantName(p, opGetArgC(inst))
	case OP_GETUPVAL:
		if b := opGetArgB(inst); b < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[b]
		}
		return "upvalue", "?"
	case OP_SELF:
		return "method", constantName(p, opGetArgC(inst))
	}
	return "", ""
}

// operandRegister returns the register of the running Lua function that
// holds v as an operand of the instruction being executed, or -1: Lua 5.1
// names a value only when it is in the stack (isinstack), not a constant
// or a metamethod's intermediate.
func (ls *LState) operandRegister(v LValue) int {
	cf := ls.currentFrame
	if cf == nil || cf.Fn.IsG || cf.Pc < 1 {
		return -1
	}
	inst := cf.Fn.Proto.Code[cf.Pc-1]
	a, b, c := opGetArgA(inst), opGetArgB(inst), opGetArgC(inst)
	var regs []int
	switch opGetOpCode(inst) {
	case OP_GETTABLE, OP_GETTABLEKS, OP_SELF, OP_UNM, OP_LEN:
		regs = []int{b}
	case OP_SETTABLE, OP_SETTABLEKS, OP_CALL, OP_TAILCALL:
		regs = []int{a}
	case OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW:
		for _, rk := range []int{b, c} {
			if !opIsK(rk) {
				regs = append(regs, rk)
			}
		}
	}
	for _, r := range regs {
		if ls.reg.Get(cf.LocalBase+r) == v {
			return r
		}
	}
	return -1
}

// typeError51 is luaG_typeerror: "attempt to OP KIND 'NAME' (a TYPE
// value)" when Lua 5.1 can name v, "attempt to OP a TYPE value" when not.
func (ls *LState) typeError51(v LValue, op string) {
	ls.typeErrorAt(v, op, ls.operandRegister(v))
}

// typeErrorAt is typeError51 for a value known to be in register reg of
// the running Lua function (-1: not in a register).
func (ls *LState) typeErrorAt(v LValue, op string, reg int) {
	if reg >= 0 {
		cf := ls.currentFrame
		if kind, name := objectName(cf.Fn, cf.Pc-1, reg); kind != "" {
			ls.runError51("attempt to %s %s '%s' (a %s value)", op, kind, name, v.Type().String())
		}
	}
	ls.runError51("attempt to %s a %s value", op, v.Type().String())
}

// arithError51 is luaG_aritherror: the first operand that is not a number
// (nor a string convertible to one) is the one named.
func (ls *LState) arithError51(lhs, rhs LValue) {
	bad := rhs
	if _, ok := toNumber51(lhs); !ok {
		bad = lhs
	}
	ls.typeError51(bad, "perform arithmetic on")
}

// toNumber51 is luaV_tonumber.
func toNumber51(v LValue) (LNumber, bool) {
	switch x := v.(type) {
	case LNumber:
		return x, true
	case LString:
		if f, ok := luaStr2Number(string(x)); ok {
			return LNumber(f), true
		}
	}
	return 0, false
}

// compareError51 is luaG_ordererror, including its test of the types'
// third letters (so a string and a thread are "two string values").
func (ls *LState) compareError51(lhs, rhs LValue) {
	t1, t2 := lhs.Type().String(), rhs.Type().String()
	if t1[2] == t2[2] {
		ls.runError51("attempt to compare two %s values", t1)
	}
	ls.runError51("attempt to compare %s with %s", t1, t2)
}

// funcName51 is getfuncname: how the function running in frame was called
// ("global", "local", "method", "field", "upvalue" and its name), from
// the calling instruction of its caller; "" when the caller is not Lua
// code or the call was a tail call.
func funcName51(frame *callFrame) (kind, name string) {
	if frame == nil || (!frame.Fn.IsG && frame.TailCall > 0) {
		return "", ""
	}
	caller := frame.Parent
	if caller == nil || caller.Fn.IsG || caller.Pc < 1 {
		return "", ""
	}
	pc := caller.Pc - 1
	inst := caller.Fn.Proto.Code[pc]
	switch opGetOpCode(inst) {
	case OP_CALL, OP_TAILCALL, OP_TFORLOOP:
		return objectName(caller.Fn, pc, opGetArgA(inst))
	}
	return "", ""
}

// argError51 is luaL_argerror: the argument number counts from the
// caller's point of view, so a method call does not count self.
func (ls *LState) argError51(n int, message string) {
	kind, name := funcName51(ls.currentFrame)
	if kind == "method" {
		n--
		if n == 0 {
			ls.RaiseError("calling '%s' on bad self (%s)", name, message)
		}
	}
	if name == "" {
		name = "?"
	}
	ls.RaiseError("bad argument #%d to '%s' (%s)", n, name, message)
}

// typeName51 is luaL_typename for argument n: "no value" when absent.
func (ls *LState) typeName51(n int) string {
	if n > ls.GetTop() {
		return "no value"
	}
	return ls.Get(n).Type().String()
}

// traceback51 is Lua 5.1's debug.traceback (db_errorfb) of ls's stack
// from level: head (the message and a newline, or nothing), then "stack
// traceback:" and a line per level.
func (ls *LState) traceback51(head string, level int) string {
	const levels1, levels2 = 12, 10 // levels shown before and after a gap
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("stack traceback:")
	firstPart := true
	for {
		e, ok := ls.stackLevel(level)
		level++
		if !ok {
			break
		}
		if level > levels1 && firstPart {
			if _, more := ls.stackLevel(level + levels2); !more {
				level-- // few levels left: show them all
			} else {
				b.WriteString("\n\t...")
				for {
					if _, more := ls.stackLevel(level + levels2); !more {
						break
					}
					level++
				}
			}
			firstPart = false
			continue
		}
		switch {
		case e.tail:
			b.WriteString("\n\t(tail call): ?")
			continue
		case e.host:
			b.WriteString("\n\t[C]: ?")
			continue
		}
		frame := e.frame
		b.WriteString("\n\t")
		b.WriteString(shortSrc(frame.Fn))
		b.WriteString(":")
		if line := currentLine(frame); line > 0 {
			fmt.Fprintf(&b, "%d:", line)
		}
		switch kind, name := funcName51(frame); {
		case kind != "":
			fmt.Fprintf(&b, " in function '%s'", name)
		case frame.Fn.IsG:
			b.WriteString(" ?")
		case frame.Fn.Proto.LineDefined == 0:
			b.WriteString(" in main chunk")
		default:
			fmt.Fprintf(&b, " in function <%s:%d>", shortSrc(frame.Fn), frame.Fn.Proto.LineDefined)
		}
	}
	return b.String()
}

// syntaxError51 words an error of the parser as Lua 5.1's lexer does:
// "chunk:line: message near 'token'". The messages are Lua's where the
// lexer finds the error; the parser itself only knows that a token was
// unexpected, where Lua's often says what it expected.
func syntaxError51(chunkname string, err error) error {
	pe, ok := err.(*parse.Error)
	if !ok {
		return err
	}
	msg, tok := pe.Message, pe.Token
	switch {
	case msg == "unterminated string":
		msg = "unfinished string"
	case msg == "unterminated multiline string":
		msg = "unfinished long string"
	case msg == "invalid multiline comment":
		msg = "unfinished long comment"
	case msg == "illegal hexadecimal number":
		msg = "malformed number"
	case msg == "Invalid token" || strings.HasPrefix(msg, "syntax error") || msg == "parse error":
		msg = "unexpected symbol"
	}
	if pe.Pos.Line == parse.EOF {
		tok = "<eof>"
	}
	return errors.New(fmt.Sprintf("%s:%d: %s near '%s'", chunkID(chunkname), pe.Line, msg, tok))
}

// loadFileMessage51 is the message of luaL_loadfile for err from LoadFile:
// "cannot open FILE: REASON" (or read) with C's wording of the reason, or
// the syntax error.
func loadFileMessage51(path string, err error) string {
	var apiErr *ApiError
	if !errors.As(err, &apiErr) || apiErr.Type != ApiErrorFile {
		if apiErr != nil && apiErr.Object != nil {
			return apiErr.Object.String()
		}
		return err.Error()
	}
	name := path
	if name == "" {
		name = "stdin"
	}
	what := "read"
	var pe *os.PathError
	if errors.As(apiErr.Cause, &pe) && pe.Op == "open" {
		what = "open"
	}
	return fmt.Sprintf("cannot %s %s: %s", what, name, strerror51(apiErr.Cause))
}

// strerror51 words err as C's strerror does ("No such file or directory"),
// or as Go does when it is not a system error.
func strerror51(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// optString51 is luaL_optstring: a number is taken as its string.
func (ls *LState) optString51(n int, d string) string {
	v := ls.Get(n)
	if v == LNil {
		return d
	}
	if LVCanConvToString(v) {
		return LVAsString(v)
	}
	ls.TypeError(n, LTString)
	return ""
}

// indexError51 reports that cur, reached from obj through __index or
// __newindex (or obj itself), cannot be indexed; only obj can be named.
func (ls *LState) indexError51(obj, cur LValue) {
	if cur == obj {
		ls.typeError51(cur, "index")
	}
	ls.typeErrorAt(cur, "index", -1)
}
