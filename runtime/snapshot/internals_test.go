package snapshot

import (
	"reflect"
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// TestInternals fails loudly when the running gopher-lua no longer has the
// unexported fields, types and opcode numbers the snapshot reads. Whoever
// upgrades gopher-lua must revisit internals.go, proto.go and opcodes.go.
func TestInternals(t *testing.T) {
	if err := loadInternals(); err != nil {
		t.Fatalf("gopher-lua internals changed: %v", err)
	}
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`t = {1, 2, nil, 4, nil}; t.x = 1; t.y = 2; t.x = nil`); err != nil {
		t.Fatal(err)
	}
	tab := L.GetGlobal("t").(*lua.LTable)
	if n := tableArrayLen(tab); n != 5 {
		t.Errorf("array part length = %d, want 5 (trailing nil included)", n)
	}
	if n := tableKeyCount(tab); n != 2 {
		t.Errorf("key order list has %d entries, want 2 (deleted x kept)", n)
	}
	if k, _, ok := scalarKeyAt(tab, 0); !ok || k != lua.LString("x") {
		t.Errorf("first key = %v, want x", k)
	}
	// The frame of a running Lua function: pc just after the CALL.
	var pc, base int
	L.SetGlobal("probe", L.NewFunction(func(L *lua.LState) int {
		dbg, _ := L.GetStack(1)
		pc, base = framePc(dbg), frameLocalBase(dbg)
		return 0
	}))
	fn, err := L.LoadString("local a, b = 1, 2\nprobe()\n")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatal(err)
	}
	call := fn.Proto.Code[pc-1]
	if opcodeOf(call) != lua.OP_CALL || argA(call) != 2 || argC(call) != 1 {
		t.Errorf("instruction before pc %d is not CALL 2 _ 1: %08x", pc, call)
	}
	if base < 1 {
		t.Errorf("local base = %d, want >= 1", base)
	}
}

// TestOpenUpvalueSlot checks the reading of an open upvalue's register.
func TestOpenUpvalueSlot(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	var reg uintptr
	var index, base int
	var closed bool
	L.SetGlobal("inspect", L.NewFunction(func(L *lua.LState) int {
		f := L.CheckFunction(1)
		dbg, _ := L.GetStack(1)
		base = frameLocalBase(dbg)
		closed = f.Upvalues[0].IsClosed()
		reg, index = openUpvalueSlot(f.Upvalues[0])
		return 0
	}))
	if err := L.DoString("local a, b, c = 1, 2, 3\nlocal function get() return c end\ninspect(get)\n"); err != nil {
		t.Fatal(err)
	}
	if closed {
		t.Fatal("upvalue of a live local is closed")
	}
	if reg != registryID(L) || index-base != 2 {
		t.Errorf("open upvalue at register %d of registry %x, want register 2 of %x", index-base, reg, registryID(L))
	}
}

// TestInstructionLayout checks the prologue's encoders against code that
// gopher-lua compiled itself.
func TestInstructionLayout(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	fn, err := L.LoadString(`
		local a, b = 1, 2
		local function f() return a end
		b = a
		f(a, b)
		while a do a = nil end`)
	if err != nil {
		t.Fatal(err)
	}
	p := fn.Proto
	want := map[uint32]string{
		instClosure(2, 0):      "CLOSURE 2 0",
		instCaptureRegister(0): "MOVE 0 0 (upvalue capture)",
		instMove(3, 2):         "MOVE 3 2",
		instCall(3, 2, 0):      "CALL 3 3 1",
		instReturnNone():       "RETURN 0 1",
		instJmp(2):             "JMP +2",
		instJmp(-4):            "JMP -4",
		instLoadK(0, 0):        "LOADK 0 0",
	}
	found := map[uint32]bool{}
	for _, inst := range p.Code {
		found[inst] = true
	}
	for inst, name := range want {
		if !found[inst] {
			t.Errorf("%s encodes as %08x, which the compiled code does not contain:\n%s", name, inst, p.String())
		}
	}
	if got := instGetUpval(0, 0); opcodeOf(got) != lua.OP_GETUPVAL || argA(got) != 0 || argB(got) != 0 {
		t.Errorf("GETUPVAL encodes as %08x", got)
	}
}

// TestStringConstants checks that a restored prototype gets exactly the
// stringConstants gopher-lua's compiler derives: both from a proto the
// compiler built for the same constants (from a syntax tree, no source) and
// from the original.
func TestStringConstants(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	fn, err := L.LoadString(`
		local t = { alpha = 1, [2.5] = "beta", gamma = "\0nul" }
		print(t.alpha, t["gamma"], 1e300, "", -0.0, "alpha2")
		return delta, 7, "epsilon"`)
	if err != nil {
		t.Fatal(err)
	}
	orig := fn.Proto
	restored := &lua.FunctionProto{Constants: orig.Constants}
	setProtoStringConstants(restored)
	want := protoStringConstants(orig)
	if got := protoStringConstants(restored); !reflect.DeepEqual(got, want) {
		t.Errorf("stringConstants = %q, want %q", got, want)
	}
	compiled := compiledWithConstants(t, orig.Constants)
	if got := protoStringConstants(compiled); !reflect.DeepEqual(got, want) {
		t.Errorf("the compiler derives %q from the same constants, the original has %q", got, want)
	}
	// And gopher-lua still derives them as the snapshot assumes.
	for i, c := range orig.Constants {
		s, isStr := c.(lua.LString)
		if (isStr && want[i] != string(s)) || (!isStr && want[i] != "") {
			t.Errorf("gopher-lua derives stringConstants[%d] = %q from %v", i, want[i], c)
		}
	}
}

// TestVerifyProto checks that code indexing outside its prototype is
// rejected before it can run.
func TestVerifyProto(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	fn, err := L.LoadString(`local x = y; print(x.z, "k"); local f = function() return x end`)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyProto(fn.Proto); err != nil {
		t.Fatalf("compiled code rejected: %v", err)
	}
	corrupt := []struct {
		name string
		edit func(p *lua.FunctionProto)
	}{
		{"bad opcode", func(p *lua.FunctionProto) { p.Code[0] = 63 << 26 }},
		{"constant out of range", func(p *lua.FunctionProto) { p.Code[0] = encodeABx(lua.OP_LOADK, 0, 999) }},
		{"global name not a string", func(p *lua.FunctionProto) {
			p.Constants = append(p.Constants, lua.LNumber(1))
			p.Code[0] = encodeABx(lua.OP_GETGLOBAL, 0, len(p.Constants)-1)
		}},
		{"prototype out of range", func(p *lua.FunctionProto) { p.Code[0] = encodeABx(lua.OP_CLOSURE, 0, 9) }},
		{"jump outside", func(p *lua.FunctionProto) { p.Code[0] = instJmp(1000) }},
		{"upvalue out of range", func(p *lua.FunctionProto) { p.Code[0] = instGetUpval(0, 3) }},
		{"no final return", func(p *lua.FunctionProto) { p.Code[len(p.Code)-1] = instMove(0, 0) }},
		{"positions mismatch", func(p *lua.FunctionProto) { p.DbgSourcePositions = p.DbgSourcePositions[1:] }},
	}
	for _, c := range corrupt {
		p := *fn.Proto
		p.Code = append([]uint32(nil), p.Code...)
		p.Constants = append([]lua.LValue(nil), p.Constants...)
		c.edit(&p)
		if err := verifyProto(&p); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

// compiledWithConstants has gopher-lua compile, from a syntax tree of
// assignments k = <constant>, a prototype whose constants are consts (which
// must be distinct, as a compiler's are).
func compiledWithConstants(t *testing.T, consts []lua.LValue) *lua.FunctionProto {
	stmts := []ast.Stmt{&ast.LocalAssignStmt{Names: []string{"k"}}}
	for _, c := range consts {
		var ex ast.Expr
		switch v := c.(type) {
		case lua.LString:
			ex = &ast.StringExpr{Value: string(v)}
		case lua.LNumber:
			ex = &ast.NumberExpr{Value: strconv.FormatFloat(float64(v), 'g', -1, 64)}
		}
		stmts = append(stmts, &ast.AssignStmt{Lhs: []ast.Expr{&ast.IdentExpr{Value: "k"}}, Rhs: []ast.Expr{ex}})
	}
	p, err := lua.Compile(stmts, "constants")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Constants) != len(consts) {
		t.Fatalf("compiled %d constants, want %d", len(p.Constants), len(consts))
	}
	return p
}

// protoStringConstants reads a prototype's derived string-constant table.
func protoStringConstants(p *lua.FunctionProto) []string {
	v := reflect.ValueOf(p).Elem().Field(loaded().protoStrConst)
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}
