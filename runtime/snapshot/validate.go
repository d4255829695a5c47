package snapshot

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Validate checks that data is a snapshot this luapf can restore: its
// header, and every record, offset, id, value word, index and prototype, so
// that a restore that trusts it (RestoreOptions.Validated) never meets an
// error or an out-of-range read while it loads objects lazily. It needs no
// Lua state: the library paths a snapshot names are looked up when Restore
// resolves them, before anything runs. Errors wrap ErrCorrupt or
// ErrVersion, except the one that says this luapf's gopher-lua lacks the
// internals snapshots rely on (a defect of the build, internals.go).
func Validate(data []byte) error {
	if err := loadInternals(); err != nil {
		return err
	}
	l, err := readHeader(data)
	if err != nil {
		return err
	}
	return validateLayout(l)
}

// validator holds what checking one part needs of the others.
type validator struct {
	l                                      *layout
	tables, funcs, cells, udata, protosLen int
	numbers                                int
	protos                                 []*lua.FunctionProto
	builtinRecords                         int // library tables and functions among the records
	openRegs                               map[uint8]uint32
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

func validateLayout(l *layout) error {
	v := &validator{l: l, openRegs: map[uint8]uint32{}}
	for _, s := range []struct {
		sec, size int
		n         *int
		name      string
	}{
		{secNumbers, numberSize, &v.numbers, "numbers"},
		{secProtos, protoOffsetSize, &v.protosLen, "prototypes"},
		{secTables, tableRecordSize, &v.tables, "tables"},
		{secClosures, closureRecordSize, &v.funcs, "closures"},
		{secCells, cellRecordSize, &v.cells, "cells"},
		{secUserData, udataRecordSize, &v.udata, "userdata"},
		{secBuiltins, builtinRecordSize, nil, "builtins"},
	} {
		if len(l.sec[s.sec])%s.size != 0 {
			return corrupt("the %s section is %d bytes, not a multiple of %d", s.name, len(l.sec[s.sec]), s.size)
		}
		if s.n != nil {
			*s.n = len(l.sec[s.sec]) / s.size
		}
	}
	for _, check := range []func() error{v.checkProtos, v.checkTables, v.checkClosures, v.checkCells, v.checkUserData, v.checkBuiltins, v.checkRoots} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) checkProtos() error {
	v.protos = make([]*lua.FunctionProto, v.protosLen)
	for id := range v.protos {
		p, err := readProto(v.l, id, func(child int) *lua.FunctionProto { return v.protos[child] })
		if err != nil {
			return err
		}
		v.protos[id] = p
	}
	return nil
}

// word checks a value word and returns its tag (tagNumber for a number
// held inline); deleted says whether the deleted marker may appear.
func (v *validator) word(w uint64, deleted bool) (uint64, error) {
	if isNumberWord(w) {
		return tagNumber, nil
	}
	tag, p := wordTag(w), wordPayload(w)
	limit := -1 // no payload
	switch tag {
	case tagString:
		if _, ok := v.l.checkedWordStr(w); !ok {
			return 0, corrupt("string word %#x", w)
		}
		return tag, nil
	case tagTable:
		limit = v.tables
	case tagFunction:
		limit = v.funcs
	case tagUserData:
		limit = v.udata
	case tagNumber:
		limit = v.numbers
	case tagDeleted:
		if !deleted {
			return 0, corrupt("a deleted-key marker outside a hash entry")
		}
	case tagNil, tagFalse, tagTrue:
	default:
		return 0, corrupt("value word %#x", w)
	}
	if (limit < 0 && w != tagged(tag, 0)) || (limit >= 0 && (w != tagged(tag, p) || int64(p) >= int64(limit))) {
		return 0, corrupt("value word %#x out of range", w)
	}
	return tag, nil
}

// tableRef checks an optional table reference (0, or id + 1).
func (v *validator) tableRef(ref uint32, what string) error {
	if int64(ref) > int64(v.tables) {
		return corrupt("%s refers to table %d of %d", what, ref-1, v.tables)
	}
	return nil
}

// span checks that n items of size bytes from off lie in the contents.
func (v *validator) span(off, n uint32, size int, what string) error {
	if uint64(off)+uint64(n)*uint64(size) > uint64(len(v.l.sec[secContents])) {
		return corrupt("%s runs past the contents section", what)
	}
	return nil
}

func (v *validator) checkTables() error {
	contents := v.l.sec[secContents]
	for id := 0; id < v.tables; id++ {
		rec := v.l.record(secTables, tableRecordSize, uint32(id))
		what := fmt.Sprintf("table %d", id)
		switch {
		case rec[tabKind] > kindBuiltin || rec[tabFlags]&^tableIndexed != 0 || rec[2] != 0 || rec[3] != 0:
			return corrupt("%s: kind %d, flags %d", what, rec[tabKind], rec[tabFlags])
		case rec[tabKind] == kindBuiltin:
			v.builtinRecords++
			if _, ok := v.l.checkedStr(uint64(le32(rec, tabPath))); !ok {
				return corrupt("%s: library path", what)
			}
		}
		if err := v.tableRef(le32(rec, tabMeta), what+"'s metatable"); err != nil {
			return err
		}
		at, alen, hlen := le32(rec, tabContents), le32(rec, tabArrayLen), le32(rec, tabHashLen)
		if int64(alen) >= int64(lua.MaxArrayIndex) {
			return corrupt("%s: array part of %d elements", what, alen)
		}
		if err := v.span(at, alen, wordSize, what+"'s array part"); err != nil {
			return err
		}
		if err := v.span(at+alen*wordSize, hlen, entrySize, what+"'s hash part"); err != nil {
			return err
		}
		border := uint32(0)
		for i := uint32(0); i < alen; i++ {
			w := le64(contents, int(at+i*wordSize))
			if _, err := v.word(w, false); err != nil {
				return fmt.Errorf("%s, element %d: %w", what, i+1, err)
			}
			if w != tagged(tagNil, 0) {
				border = i + 1
			}
		}
		// gopher-lua's Len is the last non-nil element of the array part.
		if le32(rec, tabBorder) != border {
			return corrupt("%s: border %d, its array part gives %d", what, le32(rec, tabBorder), border)
		}
		stringKeys, err := v.checkEntries(what, at+alen*wordSize, hlen)
		if err != nil {
			return err
		}
		if rec[tabFlags]&tableIndexed != 0 {
			if err := v.checkIndex(what, le32(rec, tabIndex), at+alen*wordSize, hlen, stringKeys); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkEntries checks the hash entries of a table and counts the string
// keys.
func (v *validator) checkEntries(what string, at, hlen uint32) (int, error) {
	contents := v.l.sec[secContents]
	stringKeys := 0
	for i := uint32(0); i < hlen; i++ {
		e := int(at + i*entrySize)
		kw, vw := le64(contents, e), le64(contents, e+wordSize)
		kt, err := v.word(kw, false)
		if err == nil {
			_, err = v.word(vw, true)
		}
		if err != nil {
			return 0, fmt.Errorf("%s, hash entry %d: %w", what, i, err)
		}
		switch {
		case kt == tagNil || (kt == tagNumber && math.IsNaN(float64(v.l.number(kw)))):
			return 0, corrupt("%s, hash entry %d: nil or NaN key", what, i)
		case vw == tagged(tagNil, 0):
			return 0, corrupt("%s, hash entry %d: nil value (a deleted key is marked deleted)", what, i)
		case kt == tagString:
			stringKeys++
		}
	}
	return stringKeys, nil
}

// checkIndex checks a table's string-key index: every slot names a
// string-key entry, and probing for each string key finds its own entry
// before an empty slot or another entry with the same key.
func (v *validator) checkIndex(what string, index, entries, hlen uint32, stringKeys int) error {
	contents := v.l.sec[secContents]
	if err := v.span(index, 1, 4, what+"'s index"); err != nil {
		return err
	}
	slots := le32(contents, int(index))
	if slots == 0 || slots&(slots-1) != 0 || int64(slots) <= int64(stringKeys) {
		return corrupt("%s: index of %d slots for %d string keys", what, slots, stringKeys)
	}
	if err := v.span(index+4, slots, 4, what+"'s index"); err != nil {
		return err
	}
	key := func(e uint32) (string, bool) {
		kw := le64(contents, int(entries+e*entrySize))
		if isNumberWord(kw) || wordTag(kw) != tagString {
			return "", false
		}
		return v.l.wordStr(kw), true
	}
	used := 0
	for s := uint32(0); s < slots; s++ {
		e := le32(contents, int(index+4+4*s))
		if e == 0 {
			continue
		}
		if e > hlen {
			return corrupt("%s: index slot %d names entry %d of %d", what, s, e-1, hlen)
		}
		if _, ok := key(e - 1); !ok {
			return corrupt("%s: index slot %d names entry %d, not a string key", what, s, e-1)
		}
		used++
	}
	if used != stringKeys {
		return corrupt("%s: index holds %d keys, the table %d", what, used, stringKeys)
	}
	for i := uint32(0); i < hlen; i++ {
		k, ok := key(i)
		if !ok {
			continue
		}
		for s := keyHash(k) & (slots - 1); ; s = (s + 1) & (slots - 1) {
			e := le32(contents, int(index+4+4*s))
			if e == 0 {
				return corrupt("%s: key %q is not in its index", what, k)
			}
			if e-1 == i {
				break
			}
			if other, _ := key(e - 1); other == k {
				return corrupt("%s: key %q twice", what, k)
			}
		}
	}
	return nil
}

func (v *validator) checkClosures() error {
	contents := v.l.sec[secContents]
	for id := 0; id < v.funcs; id++ {
		rec := v.l.record(secClosures, closureRecordSize, uint32(id))
		what := fmt.Sprintf("function %d", id)
		nup := uint32(rec[cloUpvalues]) | uint32(rec[cloUpvalues+1])<<8
		switch rec[cloKind] {
		case kindBuiltin:
			v.builtinRecords++
			if _, ok := v.l.checkedStr(uint64(le32(rec, cloProto))); !ok {
				return corrupt("%s: library path", what)
			}
			continue
		case kindNew:
		default:
			return corrupt("%s: kind %d", what, rec[cloKind])
		}
		pid := le32(rec, cloProto)
		if int64(pid) >= int64(len(v.protos)) {
			return corrupt("%s: prototype %d of %d", what, pid, len(v.protos))
		}
		if want := uint32(v.protos[pid].NumUpvalues); nup != want {
			return corrupt("%s has %d upvalues, its prototype %d", what, nup, want)
		}
		if err := v.tableRef(le32(rec, cloEnv), what+"'s environment"); err != nil {
			return err
		}
		cells := le32(rec, cloCells)
		if err := v.span(cells, nup, 4, what+"'s upvalues"); err != nil {
			return err
		}
		for i := uint32(0); i < nup; i++ {
			if c := le32(contents, int(cells+4*i)); int64(c) >= int64(v.cells) {
				return corrupt("%s: upvalue cell %d of %d", what, c, v.cells)
			}
		}
	}
	return nil
}

func (v *validator) checkCells() error {
	for id := 0; id < v.cells; id++ {
		rec := v.l.record(secCells, cellRecordSize, uint32(id))
		switch rec[cellKind] {
		case cellClosed:
			if _, err := v.word(le64(rec, cellValue), false); err != nil {
				return fmt.Errorf("upvalue cell %d: %w", id, err)
			}
		case cellOpenMain:
			reg := rec[cellRegister]
			if _, dup := v.openRegs[reg]; dup {
				return corrupt("two cells alias register %d", reg)
			}
			v.openRegs[reg] = uint32(id)
		default:
			return corrupt("upvalue cell %d: kind %d", id, rec[cellKind])
		}
	}
	return nil
}

func (v *validator) checkUserData() error {
	for id := 0; id < v.udata; id++ {
		rec := v.l.record(secUserData, udataRecordSize, uint32(id))
		switch rec[udKind] {
		case kindBuiltin:
			if _, ok := v.l.checkedStr(uint64(le32(rec, udPath))); !ok {
				return corrupt("userdata %d: library path", id)
			}
		case kindClosedFile:
		default:
			return corrupt("userdata %d: kind %d", id, rec[udKind])
		}
	}
	return nil
}

// checkBuiltins checks that the builtins list names each library table
// and function record exactly once.
func (v *validator) checkBuiltins() error {
	n := v.l.count(secBuiltins, builtinRecordSize)
	seen := map[uint64]bool{}
	for i := 0; i < n; i++ {
		rec := v.l.record(secBuiltins, builtinRecordSize, uint32(i))
		tag, id := uint64(le32(rec, builtinTag)), le32(rec, builtinID)
		var kind byte
		switch {
		case tag == tagTable && int64(id) < int64(v.tables):
			kind = v.l.record(secTables, tableRecordSize, id)[tabKind]
		case tag == tagFunction && int64(id) < int64(v.funcs):
			kind = v.l.record(secClosures, closureRecordSize, id)[cloKind]
		default:
			return corrupt("builtins entry %d: tag %d, id %d", i, tag, id)
		}
		if kind != kindBuiltin || seen[tag<<32|uint64(id)] {
			return corrupt("builtins entry %d names a new or listed object", i)
		}
		seen[tag<<32|uint64(id)] = true
	}
	if n != v.builtinRecords {
		return corrupt("%d library objects listed, %d in the records", n, v.builtinRecords)
	}
	return nil
}

// checkRoots checks the roots (see encoder.writeRoots) and that the resume
// point follows a call statement of the main chunk, so that the
// continuation can be built.
func (v *validator) checkRoots() error {
	r := &reader{buf: v.l.sec[secRoots]}
	tableOrNil := func(what string) error {
		t, err := v.word(r.u64(), false)
		if err == nil && r.err == nil && t != tagNil && t != tagTable {
			err = corrupt("%s is not a table", what)
		}
		return err
	}
	if n := r.u32(); r.err == nil && n != numTypeMetatables {
		return corrupt("%d type metatables, want %d", n, numTypeMetatables)
	}
	for i := 0; i < numTypeMetatables; i++ {
		if err := tableOrNil("a type metatable"); err != nil {
			return err
		}
	}
	mainWord := r.u64()
	if r.err != nil {
		return r.err
	}
	if t, err := v.word(mainWord, false); err != nil || t != tagFunction {
		return corrupt("the main chunk is not a function")
	}
	mainRec := v.l.record(secClosures, closureRecordSize, wordPayload(mainWord))
	if mainRec[cloKind] != kindNew {
		return corrupt("the main chunk is not a Lua function")
	}
	code := v.protos[le32(mainRec, cloProto)].Code
	pc := int(r.u32())
	r.u32() // the line, for the prologue's debug information
	nlocals := int(r.u32())
	if pc < 1 || pc > len(code) {
		return corrupt("resume point %d outside the main chunk", pc)
	}
	if call := code[pc-1]; opcodeOf(call) != lua.OP_CALL || argC(call) != 1 || argA(call) != nlocals || nlocals+prologueScratch > 250 {
		return corrupt("the resume point does not follow a call statement with %d locals", nlocals)
	}
	for i := 0; i < nlocals; i++ {
		if _, err := v.word(r.u64(), false); err != nil {
			return fmt.Errorf("local %d: %w", i+1, err)
		}
	}
	if err := tableOrNil("arg"); err != nil {
		return err
	}
	open := int(r.u32())
	if r.err == nil && open != len(v.openRegs) {
		return corrupt("%d open cells listed, %d in the records", open, len(v.openRegs))
	}
	for i := 0; i < open && r.err == nil; i++ {
		reg, cell := r.u32(), r.u32()
		if c, ok := v.openRegs[uint8(reg)]; r.err == nil && (reg > 255 || !ok || c != cell || int(reg) >= nlocals) {
			return corrupt("open cell %d on register %d", cell, reg)
		}
	}
	if r.err == nil && r.off != len(r.buf) {
		return corrupt("%d bytes after the roots", len(r.buf)-r.off)
	}
	return r.err
}
