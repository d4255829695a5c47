package snapshot

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Restore rebuilds a snapshot in L, a fresh state opened exactly like the
// one Capture ran in (same libraries and Go modules, no script run yet), and
// returns the continuation of the main chunk. The library objects of L are
// updated in place with the script's changes to them; everything the script
// made is rebuilt. Corrupt or truncated data gives an error wrapping
// ErrCorrupt, never a panic.
func Restore(L *lua.LState, data []byte) (*Continuation, error) {
	if internalsErr != nil {
		return nil, fmt.Errorf("restore: %w", internalsErr)
	}
	d := &decoder{L: L, r: reader{buf: data}, builtins: IndexBuiltins(L), budget: len(data)}
	c, err := d.decode()
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return c, nil
}

// decoder holds the objects rebuilt so far, by index.
type decoder struct {
	L        *lua.LState
	r        reader
	builtins *Builtins

	protos []*lua.FunctionProto
	tables []*lua.LTable
	fresh  []bool // table was made here (not a library table)
	cells  []*lua.Upvalue
	udata  []*lua.LUserData
	funcs  []*lua.LFunction

	// cellUsers lists, for each cell, the closure slots that hold it: an
	// open cell's placeholder is swapped for the live upvalue at resume.
	cellUsers [][]cellUse
	openRegs  openCells
	budget    int // table slots still to preallocate
}

type cellUse struct {
	fn   *lua.LFunction
	slot int
}

// openCells maps a main-chunk register to the cell that aliases it.
type openCells map[int]int

// object resolves a reference read by reader.value.
func (d *decoder) object(tag byte) lua.LValue {
	r := &d.r
	switch tag {
	case tagTable:
		if id := r.ref(len(d.tables), "table"); r.err == nil {
			return d.tables[id]
		}
	case tagFunction:
		if id := r.ref(len(d.funcs), "function"); r.err == nil {
			return d.funcs[id]
		}
	default:
		if id := r.ref(len(d.udata), "userdata"); r.err == nil {
			return d.udata[id]
		}
	}
	return lua.LNil
}

func (d *decoder) value() lua.LValue { return d.r.value(d.object) }

func (d *decoder) decode() (*Continuation, error) {
	r := &d.r
	if len(r.buf) < len(magic) || string(r.buf[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not a luapf snapshot (bad magic)", ErrCorrupt)
	}
	r.off = len(magic)
	if version := r.uint(); r.err == nil && version != formatVersion {
		return nil, fmt.Errorf("%w: format version %d, this luapf reads %d", ErrCorrupt, version, formatVersion)
	}
	if guard := r.string(); r.err == nil && guard != layoutFingerprint() {
		return nil, fmt.Errorf("%w: made with gopher-lua %s, this luapf has %s", ErrCorrupt, guard, layoutFingerprint())
	}
	if err := d.readProtos(); err != nil {
		return nil, err
	}
	d.readTables()
	d.readCells()
	d.readUserData()
	d.readFunctions()
	d.readCellValues()
	d.readTableContents()
	c := d.readRoots()
	if err := r.done(); err != nil {
		return nil, err
	}
	return newContinuation(d.L, *c)
}

func (d *decoder) readProtos() error {
	n := d.r.count(8)
	d.protos = make([]*lua.FunctionProto, 0, n)
	for i := 0; i < n; i++ {
		p, err := readProto(&d.r, d.protos)
		if err != nil {
			return err
		}
		d.protos = append(d.protos, p)
	}
	return d.r.err
}

func (d *decoder) readTables() {
	r := &d.r
	d.tables = make([]*lua.LTable, r.count(2))
	d.fresh = make([]bool, len(d.tables))
	for i := range d.tables {
		switch kind := r.byte(); kind {
		case kindNew:
			// Sizes are hints for preallocation; the contents decide.
			alen, hlen := d.preallocate(r.count(1)), d.preallocate(r.count(2))
			d.tables[i] = d.L.CreateTable(alen, hlen)
			d.fresh[i] = true
		case kindBuiltin:
			if t, ok := d.builtin(lua.LTTable).(*lua.LTable); ok {
				d.tables[i] = t
			}
		default:
			r.fail("table kind %d", kind)
		}
		if r.err != nil {
			d.tables = d.tables[:i] // no nil tables for later references
			return
		}
	}
}

// preallocate grants a size hint from a budget of one slot per input byte
// in all, so corrupt hints cannot make many tables each reserve a lot.
func (d *decoder) preallocate(hint int) int {
	if hint > d.budget {
		hint = d.budget
	}
	d.budget -= hint
	return hint
}

// builtin reads a library path and returns the object there, of type want.
func (d *decoder) builtin(want lua.LValueType) lua.LValue {
	path := d.r.string()
	if d.r.err != nil {
		return lua.LNil
	}
	v, err := d.builtins.lookup(path, want)
	if err != nil {
		d.r.fail("%v", err)
		return lua.LNil
	}
	return v
}

func (d *decoder) readCells() {
	d.cells = make([]*lua.Upvalue, d.r.count(2))
	d.cellUsers = make([][]cellUse, len(d.cells))
	for i := range d.cells {
		d.cells[i] = &lua.Upvalue{} // closed until its value or alias is known
	}
}

func (d *decoder) readUserData() {
	r := &d.r
	d.udata = make([]*lua.LUserData, r.count(1))
	for i := range d.udata {
		switch kind := r.byte(); kind {
		case kindBuiltin:
			d.udata[i], _ = d.builtin(lua.LTUserData).(*lua.LUserData)
		case kindClosedFile:
			d.udata[i] = d.closedFile()
		default:
			r.fail("userdata kind %d", kind)
		}
		if r.err != nil {
			d.udata = d.udata[:i]
			return
		}
	}
}

// closedFile makes a closed file handle the way a script would: open
// /dev/null with io.open and close it.
func (d *decoder) closedFile() *lua.LUserData {
	L := d.L
	open, err := d.builtins.lookup("_G.io.open", lua.LTFunction)
	if err != nil {
		d.r.fail("%v", err)
		return nil
	}
	if err := L.CallByParam(lua.P{Fn: open, NRet: 1, Protect: true}, lua.LString("/dev/null")); err != nil {
		d.r.fail("making a closed file handle: %v", err)
		return nil
	}
	f, ok := L.Get(-1).(*lua.LUserData)
	L.Pop(1)
	if !ok {
		d.r.fail("making a closed file handle: io.open(\"/dev/null\") failed")
		return nil
	}
	if err := L.CallByParam(lua.P{Fn: L.GetField(f, "close"), NRet: 0, Protect: true}, f); err != nil {
		d.r.fail("making a closed file handle: %v", err)
		return nil
	}
	return f
}

func (d *decoder) readFunctions() {
	r := &d.r
	d.funcs = make([]*lua.LFunction, r.count(2))
	for i := range d.funcs {
		switch kind := r.byte(); kind {
		case kindBuiltin:
			d.funcs[i], _ = d.builtin(lua.LTFunction).(*lua.LFunction)
		case kindNew:
			d.funcs[i] = d.readClosure()
		default:
			r.fail("function kind %d", kind)
		}
		if r.err != nil {
			d.funcs = d.funcs[:i]
			return
		}
	}
}

func (d *decoder) readClosure() *lua.LFunction {
	r := &d.r
	pid := r.ref(len(d.protos), "prototype")
	env := d.value()
	if r.err != nil {
		return nil
	}
	fn := &lua.LFunction{Proto: d.protos[pid]}
	switch e := env.(type) {
	case *lua.LTable:
		fn.Env = e
	case *lua.LNilType:
	default:
		r.fail("function environment is a %s", env.Type())
	}
	n := r.count(1)
	if r.err == nil && n != int(fn.Proto.NumUpvalues) {
		r.fail("closure has %d upvalues, its prototype %d", n, fn.Proto.NumUpvalues)
	}
	fn.Upvalues = make([]*lua.Upvalue, n)
	for i := range fn.Upvalues {
		cid := r.ref(len(d.cells), "upvalue cell")
		if r.err != nil {
			return nil
		}
		fn.Upvalues[i] = d.cells[cid]
		d.cellUsers[cid] = append(d.cellUsers[cid], cellUse{fn, i})
	}
	return fn
}

func (d *decoder) readCellValues() {
	r := &d.r
	d.openRegs = openCells{}
	for i, cell := range d.cells {
		switch kind := r.byte(); kind {
		case cellClosed:
			cell.SetValue(d.value())
		case cellOpenMain:
			reg := r.bounded(255, "register")
			if _, dup := d.openRegs[reg]; dup {
				r.fail("two cells alias register %d", reg)
			}
			d.openRegs[reg] = i
		default:
			r.fail("cell kind %d", kind)
		}
		if r.err != nil {
			return
		}
	}
}

func (d *decoder) readTableContents() {
	r := &d.r
	for i, t := range d.tables {
		if !d.fresh[i] {
			clearTable(t)
		}
		if mt := d.value(); isMetatable(mt) {
			t.Metatable = mt
		} else {
			r.fail("metatable is a %s", mt.Type())
		}
		// RawSetInt appends in order, nils included, which rebuilds the
		// array part (and so #t) exactly.
		for k, n := 1, r.count(1); k <= n && r.err == nil; k++ {
			t.RawSetInt(k, d.value())
		}
		for k, n := 0, r.count(2); k < n && r.err == nil; k++ {
			live, key := r.byte(), d.value()
			if num, ok := key.(lua.LNumber); key == lua.LNil || (ok && num != num) {
				r.fail("nil or NaN table key")
				return
			}
			switch live {
			case 1:
				t.RawSetH(key, d.value())
			case 0:
				// A deleted key keeps its place in the key order.
				t.RawSetH(key, lua.LTrue)
				t.RawSetH(key, lua.LNil)
			default:
				r.fail("entry flag %d", live)
			}
		}
		if r.err != nil {
			return
		}
	}
}

// clearTable empties a library table before the snapshot's contents of it
// are written in.
func clearTable(t *lua.LTable) {
	var keys []lua.LValue
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		t.RawSet(k, lua.LNil)
	}
	t.Metatable = lua.LNil
}

// isMetatable reports whether v may be set as a metatable.
func isMetatable(v lua.LValue) bool {
	switch v.(type) {
	case *lua.LNilType, *lua.LTable:
		return true
	}
	return false
}

func (d *decoder) readRoots() *continuationSpec {
	r := &d.r
	samples := typeSamples(d.L)
	if n := r.count(1); r.err == nil && n != len(samples) {
		r.fail("%d type metatables, want %d", n, len(samples))
	}
	for _, s := range samples {
		if mt := d.value(); r.err == nil && !isMetatable(mt) {
			r.fail("metatable of %s is a %s", s.Type(), mt.Type())
		} else if r.err == nil {
			d.L.SetMetatable(s, mt)
		}
	}
	spec := &continuationSpec{cells: d.cells, cellUsers: d.cellUsers, open: d.openRegs}
	main, ok := d.value().(*lua.LFunction)
	if r.err == nil && (!ok || main.IsG) {
		r.fail("main chunk is not a Lua function")
	}
	if r.err != nil {
		return spec
	}
	spec.main = main
	spec.pc = r.bounded(len(main.Proto.Code), "resume point")
	spec.line = r.int()
	spec.locals = make([]lua.LValue, r.count(1))
	for i := range spec.locals {
		spec.locals[i] = d.value()
	}
	switch a := d.value().(type) {
	case *lua.LTable:
		spec.arg = a
	case *lua.LNilType:
	default:
		r.fail("arg is a %s", a.Type())
	}
	return spec
}
