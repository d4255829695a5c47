package lua

// luapf: the table library as Lua 5.1's ltablib.c: sort is its quicksort,
// so that the order it leaves equal elements in, and its errors, are
// lua5.1's, and a nil comparator means <; insert, remove and concat check
// and fail as Lua 5.1 does; foreach, foreachi and setn exist. See
// PATCHES.md, "Lua 5.1 conformance". They use only the table's public
// methods, but for the two that shift the array part of a table in one copy
// (shiftUp51 and shiftDown51, table.go).

// tableFuncs51 replaces tableFuncs' functions (see OpenTable).
var tableFuncs51 = map[string]LGFunction{
	"concat":   tableConcat51,
	"foreach":  tableForeach51,
	"foreachi": tableForeachi51,
	"insert":   tableInsert51,
	"maxn":     tableMaxn51,
	"remove":   tableRemove51,
	"setn":     tableSetn51,
	"sort":     tableSort51,
}

func tableSort51(L *LState) int {
	t := L.CheckTable(1)
	n := t.Len()
	var cmp *LFunction
	if v := L.Get(2); v != LNil {
		cmp = L.CheckFunction(2)
	}
	less := func(a, b LValue) bool {
		if cmp == nil {
			return lessThan(L, a, b)
		}
		L.Push(cmp)
		L.Push(a)
		L.Push(b)
		L.Call(2, 1)
		return LVAsBool(L.reg.Pop())
	}
	auxSort51(L, t, less, 1, n)
	return 0
}

// auxSort51 is ltablib.c's auxsort, with its choice of pivots.
func auxSort51(L *LState, t *LTable, less func(a, b LValue) bool, l, u int) {
	for l < u {
		// Sort a[l], a[(l+u)/2] and a[u].
		al, au := t.RawGetInt(l), t.RawGetInt(u)
		if less(au, al) {
			t.RawSetInt(l, au)
			t.RawSetInt(u, al)
		}
		if u-l == 1 {
			break
		}
		i := (l + u) / 2
		ai, al := t.RawGetInt(i), t.RawGetInt(l)
		if less(ai, al) {
			t.RawSetInt(i, al)
			t.RawSetInt(l, ai)
		} else if au := t.RawGetInt(u); less(au, ai) {
			t.RawSetInt(i, au)
			t.RawSetInt(u, ai)
		}
		if u-l == 2 {
			break
		}
		pivot := t.RawGetInt(i)
		t.RawSetInt(i, t.RawGetInt(u-1))
		t.RawSetInt(u-1, pivot)
		// a[l] <= P == a[u-1] <= a[u]: partition a[l+1..u-2].
		i, j := l, u-1
		for {
			var ai, aj LValue
			for {
				i++
				if ai = t.RawGetInt(i); !less(ai, pivot) {
					break
				}
				if i > u {
					L.RaiseError("invalid order function for sorting")
				}
			}
			for {
				j--
				if aj = t.RawGetInt(j); !less(pivot, aj) {
					break
				}
				if j < l {
					L.RaiseError("invalid order function for sorting")
				}
			}
			if j < i {
				break
			}
			t.RawSetInt(i, aj)
			t.RawSetInt(j, ai)
		}
		au1, ai := t.RawGetInt(u-1), t.RawGetInt(i)
		t.RawSetInt(u-1, ai)
		t.RawSetInt(i, au1)
		// Recurse into the smaller half, loop on the larger.
		if i-l < u-i {
			j, i, l = l, i-1, i+1
		} else {
			j, i, u = i+1, u, i-1
		}
		auxSort51(L, t, less, j, i)
	}
}

func tableInsert51(L *LState) int {
	t := L.CheckTable(1)
	e := t.Len() + 1 // first empty element
	var pos int
	switch L.GetTop() {
	case 2:
		pos = e
	case 3:
		pos = int(checkCInt(L, 2))
		if pos > e {
			e = pos
		}
		if t.shiftUp51(pos, e) {
			break
		}
		for i := e; i > pos; i-- {
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	t.RawSetInt(pos, L.Get(L.GetTop()))
	return 0
}

func tableRemove51(L *LState) int {
	t := L.CheckTable(1)
	e := t.Len()
	pos := int(checkCInt51Opt(L, 2, int32(e)))
	if !(1 <= pos && pos <= e) {
		return 0 // nothing to remove
	}
	L.Push(t.RawGetInt(pos))
	if t.shiftDown51(pos, e) {
		return 1
	}
	for ; pos < e; pos++ {
		t.RawSetInt(pos, t.RawGetInt(pos+1))
	}
	t.RawSetInt(e, LNil)
	return 1
}

func tableConcat51(L *LState) int {
	sep := L.optString51(2, "")
	t := L.CheckTable(1)
	i := int(checkCInt51Opt(L, 3, 1))
	last := t.Len()
	if L.Get(4) != LNil {
		last = int(checkCInt(L, 4))
	}
	var b []byte
	add := func(i int) {
		v := t.RawGetInt(i)
		if !LVCanConvToString(v) {
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), i)
		}
		b = append(b, LVAsString(v)...)
	}
	for ; i < last; i++ {
		add(i)
		b = append(b, sep...)
	}
	if i == last {
		add(i)
	}
	L.Push(LString(b))
	return 1
}

func tableForeachi51(L *LState) int {
	t := L.CheckTable(1)
	n := t.Len()
	fn := L.CheckFunction(2)
	for i := 1; i <= n; i++ {
		L.Push(fn)
		L.Push(LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableForeach51(L *LState) int {
	t := L.CheckTable(1)
	fn := L.CheckFunction(2)
	for k, v := t.Next(LNil); k != LNil; k, v = t.Next(k) {
		L.Push(fn)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableSetn51(L *LState) int {
	L.CheckTable(1)
	L.RaiseError("'setn' is obsolete")
	return 0
}

// tableMaxn51 is maxn: the largest positive numeric key, not only the
// largest integer one.
func tableMaxn51(L *LState) int {
	t := L.CheckTable(1)
	max := LNumber(0)
	for k, _ := t.Next(LNil); k != LNil; k, _ = t.Next(k) {
		if n, ok := k.(LNumber); ok && n > max {
			max = n
		}
	}
	L.Push(max)
	return 1
}
