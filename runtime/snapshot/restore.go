package snapshot

import (
	"fmt"

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
func restore(L *lua.LState, data []byte, opts RestoreOptions) (*Continuation, *heap, error) {
	if internalsErr != nil {
		return nil, nil, internalsErr
	}
	lay, err := readHeader(data)
	if err == nil && !opts.Validated {
		err = validateLayout(lay)
	}
	if err != nil {
		return nil, nil, err
	}
	h := newHeap(L, lay)
	if err := h.resolveBuiltins(IndexBuiltins(L)); err != nil {
		return nil, nil, err
	}
	spec := h.roots()
	if opts.Eager {
		h.loadAll()
	}
	c, err := newContinuation(L, spec)
	return c, h, err
}

// resolveBuiltins finds the library objects the snapshot names in L and
// makes every userdata: these are roots, and finding them can fail (a
// luapf built with other libraries), which must be seen before anything
// runs.
func (h *heap) resolveBuiltins(b *Builtins) error {
	l := h.lay
	h.udata = make([]*lua.LUserData, l.count(secUserData, udataRecordSize))
	for i := range h.udata {
		rec := l.record(secUserData, udataRecordSize, uint32(i))
		if rec[udKind] == kindClosedFile {
			ud, err := h.closedFile(b)
			if err != nil {
				return err
			}
			h.udata[i] = ud
			continue
		}
		v, err := b.lookup(l.str(le32(rec, udPath)), lua.LTUserData)
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
			v, err := b.lookup(l.str(le32(l.record(secTables, tableRecordSize, id), tabPath)), lua.LTTable)
			if err != nil {
				return err
			}
			h.tables.put(id, v.(*lua.LTable))
			tables = append(tables, id)
			continue
		}
		v, err := b.lookup(l.str(le32(l.record(secClosures, closureRecordSize, id), cloProto)), lua.LTFunction)
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
func (h *heap) closedFile(b *Builtins) (*lua.LUserData, error) {
	L := h.L
	open, err := b.lookup("_G.io.open", lua.LTFunction)
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
