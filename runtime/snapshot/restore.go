package snapshot

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// RestoreOptions say how Restore rebuilds a state.
type RestoreOptions struct {
	// Validated says the bytes already passed Validate, in this process or
	// in another that shares them read-only (luapf's server validates the
	// sealed image its executors map): Restore then checks only the header.
	Validated bool
	// Eager makes every object and loads every table before Restore
	// returns, instead of on first use: tests run every script both ways,
	// and benchmarks compare them.
	Eager bool
}

// Restore rebuilds a snapshot in L, a fresh state opened exactly like the
// one Capture ran in (same libraries and Go modules, no script run yet), and
// returns the continuation of the main chunk.
//
// It makes the roots only: the library objects of L, updated in place with
// the script's changes to them (their contents load on first use like any
// table's), the type metatables, the main chunk's closure, its locals and
// the arg table. Every other object is made on first reference, and a
// table's contents are loaded on first use (see heap), unless opts.Eager.
//
// Strings point into data, which must therefore stay unchanged and in
// memory for as long as L is used (an executor maps its image for the rest
// of its life). Unless opts.Validated, data is validated first; bytes that
// are not a valid snapshot give an error wrapping ErrCorrupt (or
// ErrVersion, for a snapshot of another luapf), never a panic.
func Restore(L *lua.LState, data []byte, opts RestoreOptions) (*Continuation, error) {
	c, _, err := restore(L, data, opts)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return c, nil
}

// restore is Restore, also returning the heap, which tests inspect.
func restore(L *lua.LState, data []byte, opts RestoreOptions) (c *Continuation, h *heap, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(errInternal)
			if !ok {
				panic(r)
			}
			c, h, err = nil, nil, e
		}
	}()
	if err := loadInternals(); err != nil {
		return nil, nil, err
	}
	lay, err := readHeader(data)
	if err == nil && !opts.Validated {
		err = validateLayout(lay)
	}
	if err != nil {
		return nil, nil, err
	}
	h = newHeap(L, lay)
	if err := h.resolveBuiltins(); err != nil {
		return nil, nil, err
	}
	spec := h.roots()
	if opts.Eager {
		h.loadAll()
	}
	c, err = newContinuation(L, spec)
	return c, h, err
}

// resolveBuiltins finds the library objects the snapshot names in L and
// makes every userdata: these are roots, and finding them can fail (a
// luapf built with other libraries), which must be seen before anything
// runs.
func (h *heap) resolveBuiltins() error {
	l := h.lay
	h.udata = make([]*lua.LUserData, l.count(secUserData, udataRecordSize))
	for i := range h.udata {
		rec := l.record(secUserData, udataRecordSize, uint32(i))
		if rec[udKind] == kindClosedFile {
			ud, err := h.closedFile()
			if err != nil {
				return err
			}
			h.udata[i] = ud
			continue
		}
		v, err := lookupBuiltin(h.L, l.str(le32(rec, udPath)), lua.LTUserData)
		if err != nil {
			return err
		}
		h.udata[i] = v.(*lua.LUserData)
	}
	// Every library object joins the memo before any table is made lazy:
	// a metatable may be one of them.
	var tables []uint32
	for i := 0; i < l.count(secBuiltins, builtinRecordSize); i++ {
		rec := l.record(secBuiltins, builtinRecordSize, uint32(i))
		id := le32(rec, builtinID)
		if uint64(rec[builtinTag]) == tagTable {
			v, err := lookupBuiltin(h.L, l.str(le32(l.record(secTables, tableRecordSize, id), tabPath)), lua.LTTable)
			if err != nil {
				return err
			}
			h.tables.put(id, v.(*lua.LTable))
			tables = append(tables, id)
			continue
		}
		v, err := lookupBuiltin(h.L, l.str(le32(l.record(secClosures, closureRecordSize, id), cloProto)), lua.LTFunction)
		if err != nil {
			return err
		}
		h.funcs.put(id, v.(*lua.LFunction))
	}
	for _, id := range tables {
		h.makeLazy(h.tables.get(id), id)
	}
	return nil
}

// closedFile makes a closed file handle the way a script would: open
// /dev/null with io.open and close it.
func (h *heap) closedFile() (*lua.LUserData, error) {
	L := h.L
	open, err := lookupBuiltin(L, "_G.io.open", lua.LTFunction)
	if err != nil {
		return nil, err
	}
	if err := L.CallByParam(lua.P{Fn: open, NRet: 1, Protect: true}, lua.LString("/dev/null")); err != nil {
		return nil, fmt.Errorf("making a closed file handle: %w", err)
	}
	f, ok := L.Get(-1).(*lua.LUserData)
	L.Pop(1)
	if !ok {
		return nil, fmt.Errorf("making a closed file handle: io.open(\"/dev/null\") failed")
	}
	if err := L.CallByParam(lua.P{Fn: L.GetField(f, "close"), NRet: 0, Protect: true}, f); err != nil {
		return nil, fmt.Errorf("making a closed file handle: %w", err)
	}
	return f, nil
}

// openCells maps a main-chunk register to the cell that aliases it.
type openCells map[int]int

// roots sets the type metatables and makes the main chunk's closure, its
// locals and the arg table; see encoder.writeRoots for the layout.
func (h *heap) roots() continuationSpec {
	r := &reader{buf: h.lay.sec[secRoots]}
	samples := typeSamples(h.L)
	if n := int(r.u32()); n != len(samples) {
		internalError("%d type metatables, want %d", n, len(samples))
	}
	for _, s := range samples {
		h.L.SetMetatable(s, h.value(r.u64()))
	}
	spec := continuationSpec{open: openCells{}, bind: h.rebind}
	spec.main = h.value(r.u64()).(*lua.LFunction)
	spec.pc = int(r.u32())
	spec.line = int(int32(r.u32()))
	spec.locals = make([]lua.LValue, r.u32())
	for i := range spec.locals {
		spec.locals[i] = h.value(r.u64())
	}
	if a, ok := h.value(r.u64()).(*lua.LTable); ok {
		spec.arg = a
	}
	for i, n := 0, int(r.u32()); i < n; i++ {
		reg, cell := int(r.u32()), int(r.u32())
		spec.open[reg] = cell
	}
	if r.err != nil {
		internalError("roots: %v", r.err)
	}
	return spec
}

// heap makes a snapshot's objects in a Lua state, each on its first
// reference, remembered by id so that identity holds. A table is made lazy
// (lua.LTable.SetLazy): its metatable is set at once (the VM reads it
// directly), its contents are loaded when gopher-lua first needs them, and
// meanwhile the heap answers reads of its array part and, through the
// snapshot's index, of its string keys. Closures, prototypes and upvalue
// cells have fields the VM reads directly, so they are made whole on first
// reference; the tables they refer to stay lazy.
//
// The heap trusts the snapshot: Validate has checked it, so nothing found
// here can be an error, and an impossible value is an internal error.
type heap struct {
	L   *lua.LState
	lay *layout

	tables memo[lua.LTable]
	funcs  memo[lua.LFunction]
	cells  memo[lua.Upvalue]
	protos memo[lua.FunctionProto]
	udata  []*lua.LUserData // all of them, made by restore

	// Closed cells whose values are still to be set: values are set after
	// the closure that needed them is made, so that long chains of
	// closures holding each other do not recurse.
	pending []uint32
	filling bool
	// openUsers lists, for each open cell not yet bound to its live
	// register (continuation.go), the closure slots that hold it.
	openUsers map[uint32][]cellUse
}

type cellUse struct {
	fn   *lua.LFunction
	slot int
}

func newHeap(L *lua.LState, l *layout) *heap {
	return &heap{
		L: L, lay: l,
		tables:    newMemo[lua.LTable](l.count(secTables, tableRecordSize)),
		funcs:     newMemo[lua.LFunction](l.count(secClosures, closureRecordSize)),
		cells:     newMemo[lua.Upvalue](l.count(secCells, cellRecordSize)),
		protos:    newMemo[lua.FunctionProto](l.count(secProtos, protoOffsetSize)),
		openUsers: map[uint32][]cellUse{},
	}
}

// internalError reports a snapshot that passed Validate yet cannot be
// restored: a luapf bug, never bad input. It panics with an
// errInternal: Restore returns it as an error, and one met while a call
// loads a table reaches the script as a Lua error.
func internalError(format string, args ...any) {
	panic(errInternal(fmt.Sprintf("luapf: internal error restoring a validated snapshot: "+format, args...)))
}

// errInternal is what internalError panics with.
type errInternal string

func (e errInternal) Error() string { return string(e) }

// value makes the value of a word.
func (h *heap) value(w uint64) lua.LValue {
	if isNumberWord(w) {
		return lua.LNumber(math.Float64frombits(w))
	}
	p := wordPayload(w)
	switch wordTag(w) {
	case tagNil:
		return lua.LNil
	case tagFalse:
		return lua.LFalse
	case tagTrue:
		return lua.LTrue
	case tagString:
		return lua.LString(h.lay.wordStr(w))
	case tagTable:
		return h.table(p)
	case tagFunction:
		return h.function(p)
	case tagUserData:
		return h.udata[p]
	case tagNumber:
		return h.lay.number(w)
	}
	internalError("value word %#x", w)
	return nil
}

// table returns table id, made lazy on first reference.
func (h *heap) table(id uint32) *lua.LTable {
	if t := h.tables.get(id); t != nil {
		return t
	}
	t := &lua.LTable{}
	h.tables.put(id, t) // first: the metatable may lead back here
	h.makeLazy(t, id)
	return t
}

// makeLazy gives t table id's metatable and makes it load id's contents.
func (h *heap) makeLazy(t *lua.LTable, id uint32) {
	rec := h.lay.record(secTables, tableRecordSize, id)
	var mt lua.LValue = lua.LNil
	if m := le32(rec, tabMeta); m != 0 {
		mt = h.table(m - 1)
	}
	alen, hlen := le32(rec, tabArrayLen), le32(rec, tabHashLen)
	t.SetLazy(mt, lua.LazyContents{
		Loader: h, ID: id, ArrayLen: int(alen), Len: int(le32(rec, tabBorder)),
		Budget: readBudget(alen, hlen),
	})
}

// readBudget is how many reads a lazy table answers before it is loaded:
// about what loading it costs, so that a table read over and over becomes
// an ordinary one, while one pass over a large array never loads it.
func readBudget(alen, hlen uint32) int { return 2*(int(alen)+int(hlen)) + 64 }

// ArrayElement answers a read of table id's array part (lua.TableLoader).
func (h *heap) ArrayElement(id uint32, i int) lua.LValue {
	rec := h.lay.record(secTables, tableRecordSize, id)
	return h.value(le64(h.lay.sec[secContents], int(le32(rec, tabContents))+i*wordSize))
}

// StringField answers a read of a string key of table id from its index,
// when it has one (lua.TableLoader).
func (h *heap) StringField(id uint32, key string) (lua.LValue, bool) {
	rec := h.lay.record(secTables, tableRecordSize, id)
	if rec[tabFlags]&tableIndexed == 0 {
		return nil, false
	}
	contents := h.lay.sec[secContents]
	index := int(le32(rec, tabIndex))
	mask := le32(contents, index) - 1
	entries := int(le32(rec, tabContents)) + int(le32(rec, tabArrayLen))*wordSize
	for slot := keyHash(key) & mask; ; slot = (slot + 1) & mask {
		e := le32(contents, index+4+4*int(slot))
		if e == 0 {
			return lua.LNil, true
		}
		at := entries + int(e-1)*entrySize
		if h.lay.wordStr(le64(contents, at)) != key {
			continue
		}
		v := le64(contents, at+wordSize)
		if v == tagged(tagDeleted, 0) {
			return lua.LNil, true
		}
		return h.value(v), true
	}
}

// LoadTable fills t with table id's contents, in the captured order
// (lua.TableLoader).
func (h *heap) LoadTable(t *lua.LTable, id uint32) {
	rec := h.lay.record(secTables, tableRecordSize, id)
	contents := h.lay.sec[secContents]
	at := int(le32(rec, tabContents))
	alen, hlen := int(le32(rec, tabArrayLen)), int(le32(rec, tabHashLen))
	entries := at + alen*wordSize
	stringKeys := 0
	for i := 0; i < hlen; i++ {
		if k := le64(contents, entries+i*entrySize); !isNumberWord(k) && wordTag(k) == tagString {
			stringKeys++
		}
	}
	t.Preallocate(alen, stringKeys, hlen-stringKeys)
	// RawSetInt appends in order, nils included, which rebuilds the array
	// part (and so #t) exactly.
	for i := 0; i < alen; i++ {
		t.RawSetInt(i+1, h.value(le64(contents, at+i*wordSize)))
	}
	for i := 0; i < hlen; i++ {
		e := entries + i*entrySize
		key, v := h.value(le64(contents, e)), le64(contents, e+wordSize)
		if v == tagged(tagDeleted, 0) {
			// A deleted key keeps its place in the key order.
			t.RawSetH(key, lua.LTrue)
			t.RawSetH(key, lua.LNil)
			continue
		}
		t.RawSetH(key, h.value(v))
	}
}

// function returns closure id, made on first reference with its prototype,
// environment and upvalue cells. Library functions are in the memo from
// the start (restore.go).
func (h *heap) function(id uint32) *lua.LFunction {
	if fn := h.funcs.get(id); fn != nil {
		return fn
	}
	rec := h.lay.record(secClosures, closureRecordSize, id)
	if rec[cloKind] != kindNew {
		internalError("library function %d was not resolved", id)
	}
	fn := &lua.LFunction{Proto: h.proto(le32(rec, cloProto))}
	h.funcs.put(id, fn)
	if env := le32(rec, cloEnv); env != 0 {
		fn.Env = h.table(env - 1)
	}
	contents := h.lay.sec[secContents]
	cells := int(le32(rec, cloCells))
	fn.Upvalues = make([]*lua.Upvalue, int(rec[cloUpvalues])|int(rec[cloUpvalues+1])<<8)
	for i := range fn.Upvalues {
		fn.Upvalues[i] = h.cell(le32(contents, cells+4*i), fn, i)
	}
	if !h.filling {
		h.fillCells()
	}
	return fn
}

// cell returns upvalue cell id for slot of fn. A closed cell's value is
// set by fillCells; an open one is a placeholder until the continuation
// binds it to the live register (rebind), and its users are recorded.
func (h *heap) cell(id uint32, fn *lua.LFunction, slot int) *lua.Upvalue {
	if c := h.cells.get(id); c != nil {
		if users, open := h.openUsers[id]; open {
			h.openUsers[id] = append(users, cellUse{fn, slot})
		}
		return c
	}
	c := &lua.Upvalue{}
	h.cells.put(id, c)
	if h.lay.record(secCells, cellRecordSize, id)[cellKind] == cellOpenMain {
		h.openUsers[id] = []cellUse{{fn, slot}}
	} else {
		h.pending = append(h.pending, id)
	}
	return c
}

// fillCells sets the values of the pending closed cells, making the
// closures they hold, whose cells join the queue.
func (h *heap) fillCells() {
	h.filling = true
	for len(h.pending) > 0 {
		id := h.pending[len(h.pending)-1]
		h.pending = h.pending[:len(h.pending)-1]
		rec := h.lay.record(secCells, cellRecordSize, id)
		h.cells.get(id).SetValue(h.value(le64(rec, cellValue)))
	}
	h.filling = false
}

// rebind makes open cell id the live upvalue of its main-chunk register:
// in every closure made so far that holds it, and for any made later.
func (h *heap) rebind(id int, live *lua.Upvalue) {
	cid := uint32(id)
	for _, u := range h.openUsers[cid] {
		u.fn.Upvalues[u.slot] = live
	}
	delete(h.openUsers, cid)
	h.cells.put(cid, live)
}

// proto returns prototype id, decoded on first reference.
func (h *heap) proto(id uint32) *lua.FunctionProto {
	if p := h.protos.get(id); p != nil {
		return p
	}
	p, err := readProto(h.lay, int(id), func(child int) *lua.FunctionProto { return h.proto(uint32(child)) })
	if err != nil {
		internalError("%v", err)
	}
	h.protos.put(id, p)
	return p
}

// loadAll makes every object and loads every table: eager restore.
func (h *heap) loadAll() {
	for id := 0; id < h.lay.count(secTables, tableRecordSize); id++ {
		h.table(uint32(id)).Load()
	}
	for id := 0; id < h.lay.count(secClosures, closureRecordSize); id++ {
		h.function(uint32(id))
	}
}

// memo remembers the object made for each id of one kind, so that an id
// always gives the same object (identity, sharing and cycles hold). It is
// a sparse array in chunks allocated on first use: an executor that
// touches a few objects of a million-object state holds a few chunks, one
// that touches them all holds a pointer per object, as a flat array would.
type memo[T any] struct {
	chunks []*[memoChunk]*T
}

const (
	memoChunkBits = 8
	memoChunk     = 1 << memoChunkBits
)

func newMemo[T any](n int) memo[T] {
	return memo[T]{chunks: make([]*[memoChunk]*T, (n+memoChunk-1)/memoChunk)}
}

// get returns the object of id, or nil.
func (m *memo[T]) get(id uint32) *T {
	c := m.chunks[id>>memoChunkBits]
	if c == nil {
		return nil
	}
	return c[id&(memoChunk-1)]
}

// put records the object of id.
func (m *memo[T]) put(id uint32, v *T) {
	c := m.chunks[id>>memoChunkBits]
	if c == nil {
		c = new([memoChunk]*T)
		m.chunks[id>>memoChunkBits] = c
	}
	c[id&(memoChunk-1)] = v
}
