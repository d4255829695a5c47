package host

import (
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"luapf/preforklib"
	"luapf/preforklib/reexec"
)

// TestRolesTable: the role table lists every role once, the hidden ones
// under the names the rest of luapf starts them by, for luapf itself and
// for a program with modules alike.
func TestRolesTable(t *testing.T) {
	want := map[string]bool{reexec.RoleWatcher: true, reexec.RoleServer: true, reexec.RoleExecutor: true,
		reexec.RoleNofileProbe: true, reexec.RoleSetup: false, reexec.RoleClient: false}
	for _, p := range []Program{{}, {Modules: map[string]lua.LGFunction{"m": func(*lua.LState) int { return 0 }}}} {
		seen := map[string]bool{}
		for _, r := range p.roles() {
			hidden, known := want[r.Name]
			switch {
			case !known:
				t.Errorf("role %q is not one luapf starts", r.Name)
			case seen[r.Name]:
				t.Errorf("role %q is listed twice", r.Name)
			case r.Hidden != hidden:
				t.Errorf("role %q: hidden %v, want %v", r.Name, r.Hidden, hidden)
			case r.Main == nil:
				t.Errorf("role %q has no Main", r.Name)
			}
			seen[r.Name] = true
		}
		if len(seen) != len(want) {
			t.Errorf("roles %v, want %v", seen, want)
		}
	}
}

// TestModuleNameRefused: a program whose module cannot be registered fails
// where it opens Lua, with luapf's exit status, instead of running the
// script without the module.
func TestModuleNameRefused(t *testing.T) {
	script := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(script, []byte(`print("ran")`), 0o644); err != nil {
		t.Fatal(err)
	}
	loader := func(*lua.LState) int { return 0 }
	for _, name := range []string{"", "os", "prefork"} {
		p := Program{Modules: map[string]lua.LGFunction{name: loader}}
		if status := p.Main([]string{"tool", "--standalone", script}); status != preforklib.ExitLuapfError {
			t.Errorf("module %q: exit status %d, want %d", name, status, preforklib.ExitLuapfError)
		}
	}
}
