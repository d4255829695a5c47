package snapshot

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// openOddLibrary opens a state like the harness's, plus a library with
// every kind of step a builtin path can take: a quoted key, number keys,
// a Go closure's upvalues, a userdata's metatable and environment.
func openOddLibrary() *lua.LState {
	L, _ := (&testRuntime{}).newState()
	lib := L.NewTable()
	lib.RawSetString("with space", L.NewTable())
	lib.RawSetString("dots.<and>^carets\"", L.NewTable())
	lib.RawSetInt(7, L.NewTable())
	lib.RawSet(lua.LNumber(0.5), L.NewTable())
	ud := L.NewUserData()
	ud.Metatable = L.NewTable()
	ud.Env = L.NewTable()
	lib.RawSetString("ud", ud)
	lib.RawSetString("closure", L.NewClosure(func(*lua.LState) int { return 0 }, L.NewTable(), ud))
	L.SetGlobal("oddlib", lib)
	return L
}

// TestLookupBuiltinFindsEveryPath: every path the index of one state
// gives names, in a second state opened the same way, the object that
// the second state's index gives that path: what a restore in an executor
// relies on.
func TestLookupBuiltinFindsEveryPath(t *testing.T) {
	setup, executor := openOddLibrary(), openOddLibrary()
	defer setup.Close()
	defer executor.Close()
	there := IndexBuiltins(executor)
	kinds := map[string]int{}
	for _, path := range IndexBuiltins(setup).paths {
		for _, kind := range []string{".", "<mt>", "<env>", "^", "[\"", "[7]", "[0.5]", "_MT", "_REGISTRY"} {
			if strings.Contains(path, kind) {
				kinds[kind]++
			}
		}
		v, err := walkBuiltinPath(executor, path)
		if err != nil {
			t.Errorf("walk %s: %v", path, err)
			continue
		}
		if got, ok := there.pathOf(v); !ok || got != path {
			t.Errorf("walk %s: found the object at %q (%v) in the second state", path, got, ok)
		}
	}
	for _, kind := range []string{".", "<mt>", "<env>", "^", "[\"", "[7]", "[0.5]", "_MT", "_REGISTRY"} {
		if kinds[kind] == 0 {
			t.Errorf("no path has %q: the test no longer covers it", kind)
		}
	}
}

// TestLookupBuiltinFails: a path this luapf does not have, or one of the
// wrong type, is an error that names the path.
func TestLookupBuiltinFails(t *testing.T) {
	L := openOddLibrary()
	defer L.Close()
	for _, tc := range []struct {
		path string
		want lua.LValueType
		err  string
	}{
		{"_G.string.format", lua.LTTable, "as a table, but it is a function here"},
		{"_G.nosuchlib", lua.LTTable, "nothing there"},
		{"_G.nosuchlib.format", lua.LTFunction, "nothing before"},
		{"_NOROOT.x", lua.LTTable, "no root"},
		{"_MT99", lua.LTTable, "no root"},
		{"_G.oddlib.closure^3", lua.LTTable, "cannot follow"},
		{"_G.oddlib.closure^x", lua.LTTable, "cannot follow"},
		{"_G.oddlib.[\"unterminated", lua.LTTable, "bad key"},
		{"_G.oddlib.[7", lua.LTTable, "bad key"},
		{"_G.oddlib.[x]", lua.LTTable, "bad key"},
		{"_G.oddlib.bad-name", lua.LTTable, "bad key"},
		{"_G.string.format<mt>", lua.LTTable, "cannot follow"},
		{"_G<env>", lua.LTTable, "cannot follow"},
	} {
		_, err := lookupBuiltin(L, tc.path, tc.want)
		if err == nil || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("lookupBuiltin(%q): %v, want an error naming the path and saying %q", tc.path, err, tc.err)
		}
	}
}
