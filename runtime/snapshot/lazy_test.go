package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"luapf/internal/workload"
)

// madeAndLoaded counts the tables a heap has made and, of those, the ones
// whose contents are loaded.
func (h *heap) madeAndLoaded() (made, loaded int) {
	for _, c := range h.tables.chunks {
		if c == nil {
			continue
		}
		for _, t := range c {
			if t != nil {
				made++
				if !t.IsLazy() {
					loaded++
				}
			}
		}
	}
	return made, loaded
}

// TestLazyRestoreTouchesLittle: restoring a 20,000-row state lazily makes
// a handful of tables, and a call that reads one row of an array and one of
// a 20,000-key table makes and loads only the tables on its way (the large
// tables answer from the snapshot and its index); eager restore makes and
// loads them all. Both print the same.
func TestLazyRestoreTouchesLittle(t *testing.T) {
	const rows = 20000
	path := filepath.Join(t.TempDir(), "data.lua")
	src := "local prefork = require 'prefork'\n" + workload.DataInit(rows) +
		"byName = {}\nfor i, r in ipairs(rows) do byName[r.name] = r end\n" +
		"prefork.initialisation_complete()\nlocal r = rows[777]\nlocal s = byName.row778\n" +
		"result = r.id .. ' ' .. r.name .. ' ' .. r.value .. ' ' .. s.id .. ' ' .. tostring(byName.nope)\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	snap, err := captureFile(t, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, eager := range []bool{false, true} {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		c, h, err := restore(L, snap, RestoreOptions{Eager: eager})
		if err != nil {
			t.Fatal(err)
		}
		made, loaded := h.madeAndLoaded()
		t.Logf("eager %v: after restore, %d tables made, %d loaded", eager, made, loaded)
		if !eager && made > 40 {
			t.Errorf("lazy restore made %d tables before the call", made)
		}
		if eager && loaded < rows+2 {
			t.Errorf("eager restore loaded %d tables", loaded)
		}
		L.Push(c.Function())
		for _, a := range c.Args() {
			L.Push(a)
		}
		if err := L.PCall(len(c.Args()), 0, nil); err != nil {
			t.Fatal(err)
		}
		if got := L.GetGlobal("result").String(); got != "777 row777 388.5 778 nil" {
			t.Errorf("eager %v: the call saw %q", eager, got)
		}
		made, loaded = h.madeAndLoaded()
		t.Logf("eager %v: after the call, %d tables made, %d loaded", eager, made, loaded)
		if big := h.tables.get(tableID(t, h, "byName")); !eager && (big == nil || !big.IsLazy()) {
			t.Errorf("reading one key of byName loaded it")
		}
		if !eager && (made > 45 || loaded > 25) {
			t.Errorf("a call reading one row made %d tables and loaded %d", made, loaded)
		}
		L.Close()
	}
}

// TestLazyIdentity: an object reached twice, lazily and after loading its
// parent, is the same object.
func TestLazyIdentity(t *testing.T) {
	src := `local prefork = require 'prefork'
local shared = { "shared" }
big = {}
for i = 1, 100 do big["k" .. i] = shared; big[i] = shared end
prefork.initialisation_complete()
`
	snap, err := captureInProcess(t, src)
	if err != nil {
		t.Fatal(err)
	}
	rt := &testRuntime{mode: "restore"}
	L, _ := rt.newState()
	defer L.Close()
	if _, err := Restore(L, snap, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	big := L.GetGlobal("big").(*lua.LTable)
	viaIndex, viaArray := big.RawGetString("k50"), big.RawGetInt(7)
	if !big.IsLazy() {
		t.Fatalf("reading one key and one element loaded a 200-entry table")
	}
	big.Load()
	if viaIndex != viaArray || big.RawGetString("k99") != viaIndex || big.RawGetInt(100) != viaIndex {
		t.Errorf("the shared table is not one object: %v", []lua.LValue{viaIndex, viaArray, big.RawGetString("k99")})
	}
	if s := fmt.Sprint(viaIndex.(*lua.LTable).RawGetInt(1)); s != "shared" {
		t.Errorf("shared[1] = %s", s)
	}
}

// tableID returns the id of the global table name in h, for checks.
func tableID(t *testing.T, h *heap, name string) uint32 {
	want := h.L.GetGlobal(name)
	for ci, c := range h.tables.chunks {
		if c == nil {
			continue
		}
		for i, tb := range c {
			if tb != nil && lua.LValue(tb) == want {
				return uint32(ci*memoChunk + i)
			}
		}
	}
	t.Fatalf("global %s is not a table the heap made", name)
	return 0
}

// TestStringLengths: strings whose length a value word holds and longer
// ones, whose length is read from the pool, come back exactly, as values
// and as keys, lazily and eagerly.
func TestStringLengths(t *testing.T) {
	src := `local prefork = require 'prefork'
strs = {}
for _, n in ipairs({0, 1, 127, 128, 4094, 4095, 4096, 70000}) do
  local s = string.rep("x", n - 1) .. (n > 0 and "!" or "")
  strs[#strs + 1] = s
  strs[s] = n
end
prefork.initialisation_complete()
`
	snap, err := captureInProcess(t, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, eager := range []bool{false, true} {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		if _, err := Restore(L, snap, RestoreOptions{Eager: eager}); err != nil {
			t.Fatal(err)
		}
		strs := L.GetGlobal("strs").(*lua.LTable)
		for i, n := range []int{0, 1, 127, 128, 4094, 4095, 4096, 70000} {
			s, ok := strs.RawGetInt(i + 1).(lua.LString)
			want := strings.Repeat("x", max(n-1, 0)) + map[bool]string{true: "!"}[n > 0]
			if !ok || string(s) != want {
				t.Errorf("eager %v: string of %d bytes came back as %d bytes", eager, n, len(s))
			}
			if got := strs.RawGetString(want); got != lua.LNumber(n) {
				t.Errorf("eager %v: key of %d bytes gives %v", eager, n, got)
			}
		}
		L.Close()
	}
}
