package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua keeps a few facts the snapshot needs in unexported fields: the
// program counter and register base of a call frame, where an open upvalue
// points, and the exact layout of a table's array part and key order. They
// are read here, and only here, with read-only reflection. One field is
// written: a restored FunctionProto's stringConstants (see
// setProtoStringConstants). loadInternals fails when the running gopher-lua
// does not have the layout this file expects; every entry point calls it
// first, and TestInternals fails loudly on it so that an upgrade cannot slip
// through.

// glInternals holds the reflect field indexes, resolved once, on first use
// (loadInternals).
type glInternals struct {
	debugFrame    int // Debug.frame (*callFrame)
	framePc       int // callFrame.Pc
	frameBase     int // callFrame.LocalBase
	stateReg      int // LState.reg (*registry)
	upvalueReg    int // Upvalue.reg (*registry)
	upvalueIndex  int // Upvalue.index (int, absolute register)
	tableArray    int // LTable.array ([]LValue)
	tableKeys     int // LTable.keys ([]LValue, insertion order incl. deleted keys)
	protoStrConst int // FunctionProto.stringConstants ([]string)
}

var (
	// resolvedInternals resolves the field indexes on first use, as
	// layoutFingerprint below is computed: every luapf process links
	// this package, but only servers and executors use it, and resolving
	// reads reflection data that a client would fault in for nothing
	// (0.1 ms of every luapf start on a 2-core VM, GODEBUG=inittrace=1).
	resolvedInternals = sync.OnceValues(func() (*glInternals, error) {
		in, err := resolveInternals()
		return &in, err
	})
	// layoutFingerprint summarises every gopher-lua type whose layout the
	// snapshot depends on; it is part of the snapshot's version guard.
	// Computed on first use: every luapf client links this package but
	// few need it.
	layoutFingerprint = sync.OnceValue(fingerprintLayout)
)

// loadInternals says whether the running gopher-lua has the layout this
// file expects. Capture, Check, Validate and Restore call it before
// anything else here.
func loadInternals() error {
	_, err := resolvedInternals()
	return err
}

// field finds the named field of t and checks its type's string form.
func field(t reflect.Type, name, wantType string) (int, error) {
	f, ok := t.FieldByName(name)
	if !ok {
		return 0, fmt.Errorf("gopher-lua %s has no field %s", t.Name(), name)
	}
	if got := f.Type.String(); got != wantType {
		return 0, fmt.Errorf("gopher-lua %s.%s is %s, want %s", t.Name(), name, got, wantType)
	}
	if len(f.Index) != 1 {
		return 0, fmt.Errorf("gopher-lua %s.%s is promoted from an embedded field", t.Name(), name)
	}
	return f.Index[0], nil
}

func resolveInternals() (glInternals, error) {
	var in glInternals
	var err error
	set := func(dst *int, t reflect.Type, name, typ string) {
		if err != nil {
			return
		}
		*dst, err = field(t, name, typ)
	}
	debugT := reflect.TypeOf(lua.Debug{})
	set(&in.debugFrame, debugT, "frame", "*lua.callFrame")
	if err == nil {
		frameT := debugT.Field(in.debugFrame).Type.Elem()
		set(&in.framePc, frameT, "Pc", "int")
		set(&in.frameBase, frameT, "LocalBase", "int")
	}
	set(&in.stateReg, reflect.TypeOf(lua.LState{}), "reg", "*lua.registry")
	upT := reflect.TypeOf(lua.Upvalue{})
	set(&in.upvalueReg, upT, "reg", "*lua.registry")
	set(&in.upvalueIndex, upT, "index", "int")
	tabT := reflect.TypeOf(lua.LTable{})
	set(&in.tableArray, tabT, "array", "[]lua.LValue")
	set(&in.tableKeys, tabT, "keys", "[]lua.LValue")
	protoT := reflect.TypeOf(lua.FunctionProto{})
	set(&in.protoStrConst, protoT, "stringConstants", "[]string")
	if err != nil {
		return in, err
	}
	// A restored prototype is complete once its exported fields and
	// stringConstants are set; that holds while stringConstants is the one
	// unexported field of FunctionProto.
	for i := 0; i < protoT.NumField(); i++ {
		if f := protoT.Field(i); !f.IsExported() && f.Name != "stringConstants" {
			return in, fmt.Errorf("gopher-lua FunctionProto has a new unexported field %s", f.Name)
		}
	}
	if lua.OP_NOP != 41 || lua.OP_CALL != 31 || lua.OP_CLOSURE != 39 {
		return in, fmt.Errorf("gopher-lua opcode numbering changed (OP_CALL=%d OP_CLOSURE=%d OP_NOP=%d)", lua.OP_CALL, lua.OP_CLOSURE, lua.OP_NOP)
	}
	return in, nil
}

// fingerprintLayout hashes the field names and types of the gopher-lua
// structures the snapshot reads or rebuilds, and prefixes the patch level
// of luapf's copy of gopher-lua (lua.LuapfVersion), which changes with every
// change to the copy: a snapshot made by another level is refused.
func fingerprintLayout() string {
	h := sha256.New()
	for _, v := range []any{lua.Debug{}, lua.LState{}, lua.Upvalue{}, lua.LTable{}, lua.FunctionProto{}, lua.LFunction{}, lua.DbgLocalInfo{}, lua.DbgCall{}} {
		t := reflect.TypeOf(v)
		fmt.Fprintf(h, "%s{", t.Name())
		for i := 0; i < t.NumField(); i++ {
			fmt.Fprintf(h, "%s %s;", t.Field(i).Name, t.Field(i).Type)
		}
		fmt.Fprint(h, "}")
	}
	fmt.Fprintf(h, "ops=%d", lua.OP_NOP)
	return lua.LuapfVersion + "/" + hex.EncodeToString(h.Sum(nil))[:16]
}

// loaded returns the field indexes, resolving them first if nothing has:
// every helper below reads them through it, so none can see them
// unresolved.
func loaded() *glInternals {
	in, _ := resolvedInternals()
	return in
}

// frameOf returns the call frame behind dbg (a non-nil *callFrame value).
func frameOf(dbg *lua.Debug) reflect.Value {
	return reflect.ValueOf(dbg).Elem().Field(loaded().debugFrame).Elem()
}

// framePc is the frame's program counter: while a function it called is
// running, the index of the instruction after that CALL.
func framePc(dbg *lua.Debug) int { return int(frameOf(dbg).Field(loaded().framePc).Int()) }

// frameLocalBase is the absolute register index of the frame's register 0.
func frameLocalBase(dbg *lua.Debug) int { return int(frameOf(dbg).Field(loaded().frameBase).Int()) }

// registryID identifies the register stack of a thread.
func registryID(L *lua.LState) uintptr {
	return reflect.ValueOf(L).Elem().Field(loaded().stateReg).Pointer()
}

// openUpvalueSlot reports, for an upvalue that is still open, which register
// stack it points into and at which absolute register.
func openUpvalueSlot(uv *lua.Upvalue) (reg uintptr, index int) {
	v := reflect.ValueOf(uv).Elem()
	return v.Field(loaded().upvalueReg).Pointer(), int(v.Field(loaded().upvalueIndex).Int())
}

// tableArrayLen is the length of a table's array part, trailing nils
// included: #t depends on it, so restore rebuilds it exactly.
func tableArrayLen(t *lua.LTable) int {
	return reflect.ValueOf(t).Elem().Field(loaded().tableArray).Len()
}

// tableKeyCount is the number of entries of a table's hash-part key order
// list, which includes keys whose value was later set to nil.
func tableKeyCount(t *lua.LTable) int {
	return reflect.ValueOf(t).Elem().Field(loaded().tableKeys).Len()
}

// scalarKeyAt returns key number i of a table's key order list when it is a
// string, number or boolean. For any other key (a table, function, ...) it
// returns ok=false and the key's pointer, which the caller matches against
// the objects it knows.
func scalarKeyAt(t *lua.LTable, i int) (key lua.LValue, ptr uintptr, ok bool) {
	v := reflect.ValueOf(t).Elem().Field(loaded().tableKeys).Index(i)
	if v.IsNil() {
		return lua.LNil, 0, true
	}
	e := v.Elem()
	switch e.Type() {
	case reflect.TypeOf(lua.LString("")):
		return lua.LString(e.String()), 0, true
	case reflect.TypeOf(lua.LNumber(0)):
		return lua.LNumber(e.Float()), 0, true
	case reflect.TypeOf(lua.LBool(false)):
		return lua.LBool(e.Bool()), 0, true
	}
	if e.Kind() == reflect.Pointer {
		return nil, e.Pointer(), false
	}
	return nil, 0, false
}

// pointerOf returns the identity of a reference-typed Lua value.
func pointerOf(v lua.LValue) uintptr {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		return rv.Pointer()
	}
	return 0
}

// setProtoStringConstants gives a restored prototype the string form of its
// constants, which gopher-lua's VM reads for global and field names and
// which only its compiler fills in, from Constants, as "" for non-strings.
//
// This is the one write into gopher-lua's private state. The alternative on
// the public API, having the compiler derive the field from a synthetic
// syntax tree for every prototype, costs a compilation's allocations per
// function and made restoring 1 MB of modules cost a third of compiling it
// instead of a fifteenth. The write goes through reflect with the field's
// own type (so it has the usual GC write barriers); TestInternals checks the
// field, and TestStringConstants that the value matches what the compiler
// derives.
func setProtoStringConstants(p *lua.FunctionProto) {
	strs := make([]string, len(p.Constants))
	for i, c := range p.Constants {
		if s, ok := c.(lua.LString); ok {
			strs[i] = string(s)
		}
	}
	f := reflect.ValueOf(p).Elem().Field(loaded().protoStrConst)
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(strs))
}
