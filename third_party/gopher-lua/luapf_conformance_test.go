package lua

// luapf: tests of the Lua 5.1 conformance patches listed in PATCHES.md
// under "Lua 5.1 conformance (issue 13)". Each case is a chunk that returns
// a string; want is what PUC-Rio Lua 5.1 (Debian's lua5.1) returns for it.

import (
	"testing"
)

type conformanceCase struct {
	name, code, want string
}

// runConformance runs each case twice: plainly, and under a PCall with
// debug.traceback as the message handler, as luapf runs a script's main
// chunk.
func runConformance(t *testing.T, cases []conformanceCase) {
	t.Helper()
	for _, c := range cases {
		for _, handler := range []bool{false, true} {
			name := c.name
			if handler {
				name += "/handler"
			}
			t.Run(name, func(t *testing.T) {
				L := NewState()
				defer L.Close()
				fn, err := L.LoadString(c.code)
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				var h *LFunction
				if handler {
					h = L.GetField(L.GetGlobal("debug"), "traceback").(*LFunction)
				}
				L.Push(fn)
				if err := L.PCall(0, 1, h); err != nil {
					t.Fatalf("run: %v", err)
				}
				got := "(Go nil: a dead register)"
				if v := L.Get(-1); v != nil {
					got = v.String()
				}
				if got != c.want {
					t.Errorf("got  %q\nwant %q", got, c.want)
				}
			})
		}
	}
}

// A failing pcall closes the upvalues of the frames it unwinds, and only
// those: closures made inside keep their values, closures outside stay
// shared with their live locals.
func TestConformanceUpvaluesAfterError(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"closure made in a failing pcall keeps its upvalue",
			`local b; pcall(function() local a = 'x'; b = function() return a end; error('e') end); return b()`, "x"},
		{"closure outside the pcall stays shared",
			`local x = 1; local function get() return x end; pcall(error, 'boom'); x = 2; return tostring(get())`, "2"},
		{"shared after an error from Lua code",
			`local y = 1; local function get() return y end; pcall(function() error('e') end); y = 3; return tostring(get())`, "3"},
		{"upvalue of a failed pcall's frame is its own cell",
			`local w; pcall(function() local v = 1; w = function() v = v + 1; return v end; error('x') end); w(); return tostring(w())`, "3"},
		{"nested pcalls",
			`local f; pcall(function() local a = 'outer'; pcall(function() local b = 'inner'; f = function() return a .. b end; error('e') end); error('e2') end); return f()`, "outerinner"},
		{"closure made in a dead coroutine",
			`local g; local co = coroutine.create(function() local c = 'co'; g = function() return c end; error('e') end); coroutine.resume(co); return g()`, "co"},
	})
}

// A table constructor whose last field is keyed and a call adds nothing to
// the array part.
func TestConformanceTableConstructor(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"keyed call last", `local t = {1, 2, x = setmetatable({}, {})}; return #t .. tostring(t[3])`, "2nil"},
		{"keyed vararg last", `local function f(...) return {1, k = ...} end; local t = f(7, 8, 9); return #t .. t.k`, "17"},
		{"positional call last", `local function f() return 3, 4 end; local t = {1, 2, f()}; return #t .. ""`, "4"},
		{"positional call before keyed", `local function f() return 3, 4 end; local t = {1, f(), k = 1}; return #t .. ""`, "2"},
	})
}

// os.getenv tells a variable set to the empty string ("") from an unset
// one (nil), as C's getenv does.
func TestConformanceGetenv(t *testing.T) {
	t.Setenv("LUAPF_GETENV_SET", "value")
	t.Setenv("LUAPF_GETENV_EMPTY", "")
	runConformance(t, []conformanceCase{
		{"set", `return os.getenv("LUAPF_GETENV_SET")`, "value"},
		{"empty", `return type(os.getenv("LUAPF_GETENV_EMPTY")) .. "[" .. os.getenv("LUAPF_GETENV_EMPTY") .. "]"`, "string[]"},
		{"unset", `return tostring(os.getenv("LUAPF_GETENV_UNSET_NOWHERE"))`, "nil"},
	})
}
