package snapshot

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// encode writes the snapshot; see format.go for the layout.
func (e *encoder) encode(cfg CaptureConfig, rp resumePoint) ([]byte, error) {
	e.pool = newStringPool()
	var sec [numSections]writer

	protoData := &sec[secProtoData]
	for _, p := range e.protos {
		off, err := protoData.offset()
		if err != nil {
			return nil, err
		}
		sec[secProtos].u32(off)
		e.writeProto(protoData, p)
	}
	contents := &sec[secContents]
	for id, t := range e.tables.list {
		if err := e.writeTable(&sec[secTables], contents, id, t); err != nil {
			return nil, err
		}
	}
	for _, fn := range e.funcs.list {
		if err := e.writeClosure(&sec[secClosures], contents, fn); err != nil {
			return nil, err
		}
	}
	for i, uv := range e.cells {
		w := &sec[secCells]
		if r := e.cellOpenReg[i]; r >= 0 {
			w.byte(cellOpenMain)
			w.byte(byte(r))
			w.u16(0)
			w.u64(0)
			continue
		}
		w.u32(uint32(cellClosed))
		w.u64(e.word(uv.Value()))
	}
	for id, ud := range e.udata.list {
		w := &sec[secUserData]
		w.byte(e.udKind[id])
		w.byte(0)
		w.u16(0)
		path := uint32(0)
		if e.udKind[id] == kindBuiltin {
			p, _ := e.builtins.pathOf(ud)
			path = e.pool.add(p)
		}
		w.u32(path)
	}
	for id, t := range e.tables.list {
		if _, ok := e.builtins.pathOf(t); ok {
			sec[secBuiltins].u32(uint32(tagTable))
			sec[secBuiltins].u32(uint32(id))
		}
	}
	for id, fn := range e.funcs.list {
		if fn.IsG {
			sec[secBuiltins].u32(uint32(tagFunction))
			sec[secBuiltins].u32(uint32(id))
		}
	}
	e.writeRoots(&sec[secRoots], cfg, rp)

	sec[secStrings] = e.pool.w
	for _, bits := range e.numbers {
		sec[secNumbers].u64(bits)
	}
	if e.bug != nil {
		return nil, e.bug
	}
	if e.pool.err != nil {
		return nil, e.pool.err
	}
	return assemble(&sec)
}

// assemble joins the header and the sections.
func assemble(sec *[numSections]writer) ([]byte, error) {
	head := &writer{buf: make([]byte, 0, 256)}
	head.buf = append(head.buf, magic...)
	head.uint(formatVersion)
	head.string(layoutFingerprint())
	total := len(head.buf) + numSections*8
	for i := range sec {
		total += len(sec[i].buf)
	}
	if total > math.MaxUint32 {
		return nil, errTooLarge
	}
	out := make([]byte, 0, total)
	out = append(out, head.buf...)
	off := len(head.buf) + numSections*8
	dir := &writer{buf: out}
	for i := range sec {
		dir.u32(uint32(off))
		dir.u32(uint32(len(sec[i].buf)))
		off += len(sec[i].buf)
	}
	out = dir.buf
	for i := range sec {
		out = append(out, sec[i].buf...)
	}
	return out, nil
}

// word encodes a value: a number inline (or boxed when its bits collide
// with tagged words), a string as its pool offset, an object by id.
func (e *encoder) word(v lua.LValue) uint64 {
	switch x := v.(type) {
	case *lua.LNilType:
		return tagged(tagNil, 0)
	case lua.LBool:
		if x {
			return tagged(tagTrue, 0)
		}
		return tagged(tagFalse, 0)
	case lua.LNumber:
		bits := math.Float64bits(float64(x))
		if bits < wordTagged {
			return bits
		}
		e.numbers = append(e.numbers, bits)
		return tagged(tagNumber, uint32(len(e.numbers)-1))
	case lua.LString:
		return stringWord(e.pool.add(string(x)), len(x))
	case *lua.LTable:
		if id, ok := e.tables.ids[x]; ok {
			return tagged(tagTable, uint32(id))
		}
	case *lua.LFunction:
		if id, ok := e.funcs.ids[x]; ok {
			return tagged(tagFunction, uint32(id))
		}
	case *lua.LUserData:
		if id, ok := e.udata.ids[x]; ok {
			return tagged(tagUserData, uint32(id))
		}
	}
	// Every object written was visited first, so a miss is a bug.
	if e.bug == nil {
		e.bug = fmt.Errorf("capture: internal error: unvisited %s value", v.Type())
	}
	return tagged(tagNil, 0)
}

// objectRef encodes an optional table reference: 0, or id + 1.
func (e *encoder) objectRef(t *lua.LTable) uint32 {
	if t == nil {
		return 0
	}
	id, ok := e.tables.ids[t]
	if !ok && e.bug == nil {
		e.bug = fmt.Errorf("capture: internal error: unvisited table")
	}
	return uint32(id) + 1
}

// writeTable writes table id's record and its contents.
func (e *encoder) writeTable(rec, contents *writer, id int, t *lua.LTable) error {
	kind, path := kindNew, uint32(0)
	if p, ok := e.builtins.pathOf(t); ok {
		kind, path = kindBuiltin, e.pool.add(p)
	}
	var mt *lua.LTable
	switch m := t.Metatable.(type) {
	case *lua.LTable:
		mt = m
	case *lua.LNilType:
	default:
		return fmt.Errorf("capture: a table's metatable is a %s", t.Metatable.Type())
	}
	ents := e.liveEntries(id)
	alen := tableArrayLen(t)
	at, err := contents.offset()
	if err != nil {
		return err
	}
	for i := 1; i <= alen; i++ {
		contents.u64(e.word(t.RawGetInt(i)))
	}
	stringKeys := 0
	for _, en := range ents {
		contents.u64(e.word(en.key))
		if en.live {
			contents.u64(e.word(en.value))
		} else {
			contents.u64(tagged(tagDeleted, 0))
		}
		if _, ok := en.key.(lua.LString); ok {
			stringKeys++
		}
	}
	flags, index := byte(0), uint32(0)
	if stringKeys >= indexMinKeys {
		flags = tableIndexed
		if index, err = writeIndex(contents, ents, stringKeys); err != nil {
			return err
		}
	}
	rec.byte(kind)
	rec.byte(flags)
	rec.u16(0)
	rec.u32(e.objectRef(mt))
	rec.u32(uint32(alen))
	rec.u32(uint32(len(ents)))
	rec.u32(uint32(t.Len()))
	rec.u32(at)
	rec.u32(index)
	rec.u32(path)
	return nil
}

// writeIndex writes the string-key index of a table's hash entries and
// returns its offset: twice as many slots as keys, rounded up to a power
// of two, so probes stay short.
func writeIndex(contents *writer, ents []entry, stringKeys int) (uint32, error) {
	slots := 1
	for slots < 2*stringKeys {
		slots <<= 1
	}
	table := make([]uint32, slots)
	for i, en := range ents {
		s, ok := en.key.(lua.LString)
		if !ok {
			continue
		}
		h := keyHash(string(s)) & uint32(slots-1)
		for table[h] != 0 {
			h = (h + 1) & uint32(slots-1)
		}
		table[h] = uint32(i) + 1
	}
	at, err := contents.offset()
	if err != nil {
		return 0, err
	}
	contents.u32(uint32(slots))
	for _, v := range table {
		contents.u32(v)
	}
	return at, nil
}

// writeClosure writes a function's record, and its upvalue cell list.
func (e *encoder) writeClosure(rec, contents *writer, fn *lua.LFunction) error {
	if fn.IsG {
		path, _ := e.builtins.pathOf(fn)
		rec.byte(kindBuiltin)
		rec.byte(0)
		rec.u16(0)
		rec.u32(e.pool.add(path))
		rec.u32(0)
		rec.u32(0)
		return nil
	}
	if len(fn.Upvalues) > maxUpvalues {
		return fmt.Errorf("capture: a function has %d upvalues", len(fn.Upvalues))
	}
	at, err := contents.offset()
	if err != nil {
		return err
	}
	for _, uv := range fn.Upvalues {
		contents.u32(uint32(e.cellIDs[uv]))
	}
	rec.byte(kindNew)
	rec.byte(0)
	rec.u16(uint16(len(fn.Upvalues)))
	rec.u32(uint32(e.protoIDs[fn.Proto]))
	rec.u32(e.objectRef(fn.Env))
	rec.u32(at)
	return nil
}

// writeRoots writes the type metatables, the main chunk, the resume point
// (pc, line), the locals and the arg table, then the open cells (register
// and cell id each), all fixed-width.
func (e *encoder) writeRoots(w *writer, cfg CaptureConfig, rp resumePoint) {
	samples := typeSamples(e.L)
	w.u32(uint32(len(samples)))
	for _, s := range samples {
		w.u64(e.word(e.L.GetMetatable(s)))
	}
	w.u64(e.word(cfg.Main))
	w.u32(uint32(rp.pc))
	w.u32(uint32(int32(rp.line)))
	w.u32(uint32(len(rp.locals)))
	for _, v := range rp.locals {
		w.u64(e.word(v))
	}
	if cfg.Arg != nil {
		w.u64(e.word(cfg.Arg))
	} else {
		w.u64(tagged(tagNil, 0))
	}
	open := 0
	for _, r := range e.cellOpenReg {
		if r >= 0 {
			open++
		}
	}
	w.u32(uint32(open))
	for id, r := range e.cellOpenReg {
		if r >= 0 {
			w.u32(uint32(r))
			w.u32(uint32(id))
		}
	}
}

// liveEntries returns the hash-part entries of table id that are written:
// deleted keys that were objects nobody can reach any more are dropped, as
// nothing can set them again; the others get their key back.
func (e *encoder) liveEntries(id int) []entry {
	if id >= len(e.entries) {
		return nil
	}
	ents := e.entries[id]
	complete := true
	for _, en := range ents {
		complete = complete && en.key != nil
	}
	if complete {
		return ents
	}
	var out []entry
	for _, en := range ents {
		if en.key == nil {
			k, ok := e.deletedObjectKey(en.ptr)
			if !ok {
				continue
			}
			en.key = k
		}
		out = append(out, en)
	}
	return out
}

// deletedObjectKey resolves the identity of a deleted object key to the
// object, when the snapshot holds it. The map of every recorded object is
// built on first use: deleted object keys are rare.
func (e *encoder) deletedObjectKey(ptr uintptr) (lua.LValue, bool) {
	if e.byPointer == nil {
		e.byPointer = make(map[uintptr]lua.LValue, len(e.tables.list)+len(e.funcs.list)+len(e.udata.list))
		for _, t := range e.tables.list {
			e.byPointer[pointerOf(t)] = t
		}
		for _, f := range e.funcs.list {
			e.byPointer[pointerOf(f)] = f
		}
		for _, u := range e.udata.list {
			e.byPointer[pointerOf(u)] = u
		}
	}
	v, ok := e.byPointer[ptr]
	return v, ok
}
