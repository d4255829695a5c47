package snapshot

import (
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// entry is one slot of a table's hash-part key order.
type entry struct {
	key   lua.LValue // nil for a deleted key that was not a scalar
	value lua.LValue
	live  bool
	ptr   uintptr // identity of a deleted non-scalar key
}

// hashEntries lists the hash part of t in gopher-lua's key order, deleted
// keys included: pairs() visits keys in that order and a deleted key keeps
// its place if it is set again, so restore rebuilds the list exactly.
func hashEntries(t *lua.LTable) []entry {
	n := tableKeyCount(t)
	if n == 0 {
		return nil
	}
	ents := make([]entry, 0, n)
	var liveObjectKeys map[uintptr]lua.LValue
	for i := 0; i < n; i++ {
		k, ptr, scalar := scalarKeyAt(t, i)
		if !scalar {
			if liveObjectKeys == nil {
				liveObjectKeys = map[uintptr]lua.LValue{}
				t.ForEach(func(k, _ lua.LValue) {
					if p := pointerOf(k); p != 0 {
						liveObjectKeys[p] = k
					}
				})
			}
			var live bool
			if k, live = liveObjectKeys[ptr]; !live {
				ents = append(ents, entry{ptr: ptr})
				continue
			}
		}
		v := t.RawGetH(k)
		ents = append(ents, entry{key: k, value: v, live: v != lua.LNil})
	}
	return ents
}

// sortEntries orders entries by key: strings, then numbers, then booleans,
// each by value; other keys keep their relative order at the end.
func sortEntries(ents []entry) {
	rank := func(k lua.LValue) int {
		switch k.(type) {
		case lua.LString:
			return 0
		case lua.LNumber:
			return 1
		case lua.LBool:
			return 2
		}
		return 3
	}
	sort.SliceStable(ents, func(i, j int) bool {
		a, b := ents[i].key, ents[j].key
		ra, rb := rank(a), rank(b)
		if ra != rb || ra == 3 {
			return ra < rb
		}
		switch x := a.(type) {
		case lua.LString:
			return x < b.(lua.LString)
		case lua.LNumber:
			return x < b.(lua.LNumber)
		case lua.LBool:
			return !bool(x) && bool(b.(lua.LBool))
		}
		return false
	})
}
