package snapshot

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// registerGoSide gives test scripts Go code that reads tables the way Go
// modules do (ForEach, Next, Len, MaxN, RawGet*), so that restored lazy
// tables are seen from Go as well as from Lua:
//
//	go_foreach(t)  "k=v,..." from ForEach, sorted (the hash part's Go map order is random)
//	go_next(t)     "k=v,..." from LState.Next, in table order
//	go_len(t)      Len and MaxN
//	go_get(t, k)   RawGet, RawGetString or RawGetInt by the key's type
func registerGoSide(L *lua.LState) {
	describe := func(v lua.LValue) string {
		switch v.(type) {
		case *lua.LTable, *lua.LFunction, *lua.LUserData:
			return v.Type().String()
		}
		return v.String()
	}
	L.SetGlobal("go_foreach", L.NewFunction(func(L *lua.LState) int {
		var out []string
		L.CheckTable(1).ForEach(func(k, v lua.LValue) { out = append(out, describe(k)+"="+describe(v)) })
		sort.Strings(out)
		L.Push(lua.LString(strings.Join(out, ",")))
		return 1
	}))
	L.SetGlobal("go_next", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		var out []string
		for k, v := L.Next(t, lua.LNil); k != lua.LNil; k, v = L.Next(t, k) {
			out = append(out, describe(k)+"="+describe(v))
		}
		L.Push(lua.LString(strings.Join(out, ",")))
		return 1
	}))
	L.SetGlobal("go_len", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(lua.LString(fmt.Sprintf("Len %d MaxN %d", t.Len(), t.MaxN())))
		return 1
	}))
	L.SetGlobal("go_get", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		switch k := L.Get(2).(type) {
		case lua.LString:
			L.Push(t.RawGetString(string(k)))
		case lua.LNumber:
			L.Push(t.RawGetInt(int(k)))
		default:
			L.Push(t.RawGet(k))
		}
		return 1
	}))
}
