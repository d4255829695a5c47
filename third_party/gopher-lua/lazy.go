package lua

import "math"

// luapf: lazy tables. This file is luapf's addition to gopher-lua (see
// PATCHES.md): a table whose contents are loaded on first access, so that a
// process restoring a large saved state pays only for the tables it uses.
//
// A lazy table is an ordinary *LTable whose storage fields are empty and
// whose lazy field says where its contents come from. Every LTable method
// that reads the storage fields starts by checking lazy: reads of an
// array element, the length and (when the loader can) one string key are
// answered without loading; anything else (a write, next, ForEach, sort,
// other keys) loads the table first, and from then on it is an ordinary
// table. luapf's TestLazyGuard fails when a storage field is used anywhere
// else.
//
// Loading is not safe for concurrent use: a lazy table must not be read
// from two goroutines at once before it is loaded, where an ordinary table
// may be (gopher-lua tables are never safe for concurrent writes).

// LuapfVersion names this patched copy: upstream's version and the number
// of the last change listed in PATCHES.md, bumped with every change. luapf's
// snapshots record it, so that a state saved by one patch level is never
// restored by another.
const LuapfVersion = "v1.1.2+luapf.28"

// TableLoader supplies the contents of lazy tables (SetLazy).
type TableLoader interface {
	// LoadTable fills tb with the contents of table id. It is called at
	// most once per SetLazy, on the first access that needs them; tb is
	// then an ordinary empty table (no longer lazy, its metatable set),
	// which LoadTable fills with Preallocate and the Raw* methods. It
	// must not run Lua code and cannot fail: the loader's data must have
	// been checked beforehand.
	LoadTable(tb *LTable, id uint32)
	// ArrayElement returns element i (0-based, below the ArrayLen given to
	// SetLazy) of table id's array part, without loading the table.
	ArrayElement(id uint32, i int) LValue
	// StringField returns the value of table id under a string key (LNil
	// when it has none) and true, or false when the loader cannot tell
	// without loading the table.
	StringField(id uint32, key string) (LValue, bool)
}

// LazyContents describes the contents of a lazy table.
type LazyContents struct {
	Loader TableLoader
	ID     uint32 // passed to Loader's methods
	// ArrayLen is the length the array part will have once loaded,
	// trailing nils included (at most MaxArrayIndex).
	ArrayLen int
	// Len is what Len will return once loaded.
	Len int
	// Budget is how many reads the loader answers without loading; the
	// read after them loads the table. A value read from the loader is
	// made anew each time (a string or number costs an allocation), so a
	// table read over and over is better loaded. 0 means no limit.
	Budget int
}

// lazyContents is LazyContents as a table keeps it.
type lazyContents struct {
	loader   TableLoader
	id       uint32
	arrayLen int32
	len      int32
	budget   int32 // reads left; negative: no limit
}

// SetLazy makes tb a lazy table with contents c and the given metatable
// (LNil for none), dropping whatever it held. The metatable is set now
// because the VM reads Metatable directly.
func (tb *LTable) SetLazy(metatable LValue, c LazyContents) {
	tb.Metatable = metatable
	tb.array, tb.dict, tb.strdict, tb.keys, tb.k2i = nil, nil, nil, nil, nil
	budget := int32(-1)
	if c.Budget > 0 {
		budget = int32(min(c.Budget, math.MaxInt32))
	}
	tb.lazy = &lazyContents{loader: c.Loader, id: c.ID, arrayLen: int32(c.ArrayLen), len: int32(c.Len), budget: budget}
}

// IsLazy reports whether tb's contents are still to be loaded.
func (tb *LTable) IsLazy() bool { return tb.lazy != nil }

// Load loads a lazy table's contents now; it does nothing to other tables.
func (tb *LTable) Load() {
	if tb.lazy != nil {
		tb.load()
	}
}

// load calls the loader of a lazy table. The table stops being lazy first,
// so that the loader can fill it with the ordinary methods.
func (tb *LTable) load() {
	c := tb.lazy
	tb.lazy = nil
	c.loader.LoadTable(tb, c.id)
}

// lazyArrayGet answers what RawGetInt(index+1) answers once a lazy table is
// loaded (nil outside the array part), or false when its budget of reads
// is spent.
func (tb *LTable) lazyArrayGet(index int) (LValue, bool) {
	if index < 0 || index >= int(tb.lazy.arrayLen) {
		return LNil, true
	}
	if !tb.lazy.spend() {
		return nil, false
	}
	return tb.lazy.loader.ArrayElement(tb.lazy.id, index), true
}

// lazyStringGet answers what RawGetString(key) answers once a lazy table
// is loaded, or false when the loader cannot tell or the budget is spent.
func (tb *LTable) lazyStringGet(key string) (LValue, bool) {
	if !tb.lazy.spend() {
		return nil, false
	}
	return tb.lazy.loader.StringField(tb.lazy.id, key)
}

// spend counts one read against the budget; false once it is spent.
func (c *lazyContents) spend() bool {
	if c.budget < 0 {
		return true
	}
	if c.budget == 0 {
		return false
	}
	c.budget--
	return true
}

// Preallocate reserves room in an empty table for an array part of
// arrayLen elements, stringKeys string keys and otherKeys other keys of
// the hash part: loaders use it to build tables at their exact size.
func (tb *LTable) Preallocate(arrayLen, stringKeys, otherKeys int) {
	if tb.lazy != nil {
		tb.load()
	}
	if arrayLen > 0 && tb.array == nil {
		tb.array = make([]LValue, 0, arrayLen)
	}
	if stringKeys > 0 && tb.strdict == nil {
		tb.strdict = make(map[string]LValue, stringKeys)
	}
	if otherKeys > 0 && tb.dict == nil {
		tb.dict = make(map[LValue]LValue, otherKeys)
	}
	if n := stringKeys + otherKeys; n > 0 && tb.keys == nil {
		tb.keys = make([]LValue, 0, n)
		tb.k2i = make(map[LValue]int, n)
	}
}

// arrayPart returns the array part for table.sort to sort in place,
// loading a lazy table first.
func (tb *LTable) arrayPart() []LValue {
	if tb.lazy != nil {
		tb.load()
	}
	return tb.array
}
