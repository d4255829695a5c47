package reexec

import (
	"reflect"
	"testing"
)

// TestDispatch: a hidden role is chosen by argv[0] alone, an Env role by
// its variable, and the default otherwise; an argv[0] framed like a role
// that is not one is refused, never taken for the default.
func TestDispatch(t *testing.T) {
	var ran string
	var gotArgv []string
	role := func(name string, hidden bool, env string) Role {
		return Role{Name: name, Hidden: hidden, Env: env, Main: func(argv []string) int {
			ran, gotArgv = name, argv
			return len(name)
		}}
	}
	roles := []Role{
		role("watcher", true, ""),
		role("setup", false, "PREFORK_INTERP"),
		role("client", false, ""),
	}
	tests := []struct {
		name string
		argv []string
		env  map[string]string
		want string // the role run; "" for none
	}{
		{"hidden role", []string{"luapf [watcher]", "/run/s", "1", "2"}, nil, "watcher"},
		{"hidden role wins over the environment", []string{"luapf [watcher]"}, map[string]string{"PREFORK_INTERP": "v1"}, "watcher"},
		{"environment", []string{"/usr/bin/luapf", "x.lua"}, map[string]string{"PREFORK_INTERP": ""}, "setup"},
		{"default", []string{"/usr/bin/luapf", "x.lua"}, nil, "client"},
		{"no argv", nil, nil, "client"},
		{"setup is not hidden", []string{"luapf [setup]"}, nil, ""},
		{"unknown role", []string{"luapf [bogus]"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran, gotArgv = "", nil
			lookup := func(name string) (string, bool) { v, ok := tt.env[name]; return v, ok }
			status := Dispatch(roles, tt.argv, lookup)
			if ran != tt.want {
				t.Fatalf("ran %q, want %q", ran, tt.want)
			}
			if tt.want == "" {
				if status != 127 {
					t.Errorf("status %d, want 127", status)
				}
				return
			}
			if status != len(tt.want) || !reflect.DeepEqual(gotArgv, tt.argv) {
				t.Errorf("status %d, argv %q; want %d, %q", status, gotArgv, len(tt.want), tt.argv)
			}
		})
	}
}

func TestRoleArgv0(t *testing.T) {
	for _, role := range []string{RoleWatcher, RoleServer, RoleExecutor, RoleNofileProbe} {
		if got, ok := RoleOf(RoleArgv0(role)); !ok || got != role {
			t.Errorf("RoleOf(RoleArgv0(%q)) = %q, %v", role, got, ok)
		}
	}
	for _, argv0 := range []string{"luapf", "/usr/bin/luapf", "luapf [server", "prefork-interp"} {
		if role, ok := RoleOf(argv0); ok {
			t.Errorf("RoleOf(%q) = %q, want none", argv0, role)
		}
	}
}
