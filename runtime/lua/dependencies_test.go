package lua

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// dependencySnippets exercise the wrapped library functions: results,
// errors and tracebacks, of success and failure. DIR is a directory with
// data.txt ("one\ntwo\n") and conf.lua; missing.txt does not exist.
var dependencySnippets = []string{
	`local f = io.open(DIR .. "/data.txt"); local s = f:read("*a"); f:close(); return s`,
	`local f = io.open(DIR .. "/data.txt", "rb"); local s = f:read("*l"); f:close(); return s, io.type(f)`,
	`return io.open(DIR .. "/missing.txt")`,
	`return io.open(DIR .. "/data.txt", "bogus")`,
	`return io.open()`,
	`return io.open({})`,
	`local t = {}; for l in io.lines(DIR .. "/data.txt") do t[#t + 1] = l end; return table.concat(t, ",")`,
	`return io.lines(DIR .. "/missing.txt")`,
	`return io.lines({})`,
	`io.input(DIR .. "/data.txt"); local s = io.read("*l"); io.input():close(); io.input(io.stdin); return s`,
	`return io.input(DIR .. "/missing.txt")`,
	`return io.input(42)`,
	`return dofile(DIR .. "/conf.lua").value`,
	`return dofile(DIR .. "/missing.txt")`,
	`return loadfile(DIR .. "/conf.lua")().value`,
	`return loadfile(DIR .. "/missing.txt")`,
	`return os.getenv("LUAPF_DEP_READ"), os.getenv("LUAPF_DEP_UNSET"), os.getenv(12)`,
	`return os.getenv()`,
	`return os.getenv("A=B"), os.getenv("")`,
	`return os.setenv("LUAPF_DEP_SET", "set"), os.getenv("LUAPF_DEP_SET")`,
	`return os.setenv("A=B", "x")`,
	`return os.setenv("LUAPF_DEP_SET")`,
	`return select(2, xpcall(function() io.open(nil) end, debug.traceback))`,
	`return select(2, xpcall(function() dofile(DIR .. "/missing.txt") end, debug.traceback))`,
	`return select(2, xpcall(function() os.getenv({}) end, debug.traceback))`,
	`local s = io.open("/proc/self/stat"):read("*l"); return type(s)`,
	`local f = io.open(DIR .. "/written.txt", "w"); f:write("x"); f:close(); return io.open(DIR .. "/written.txt", "r+") ~= nil`,
}

// runSnippet runs a snippet in L and describes what it returned or raised.
func runSnippet(t *testing.T, L *lua.LState, dir, snippet string) string {
	t.Helper()
	L.SetGlobal("DIR", lua.LString(dir))
	src := `local function show(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = type(v) .. ":" .. tostring(v)
  end
  return table.concat(out, " | ")
end
return show(pcall(function() ` + snippet + ` end))`
	if err := L.DoString(src); err != nil {
		t.Fatalf("%s: %v", snippet, err)
	}
	return L.Get(-1).String()
}

// TestDependencyWrappers: the wrapped library functions of every mode give
// exactly what gopher-lua's own give, and in setup they record what the
// initialisation depends on.
func TestDependencyWrappers(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"data.txt": "one\ntwo\n", "conf.lua": "return { value = 'conf' }\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("LUAPF_DEP_READ", "read value")
	t.Setenv("LUAPF_DEP_SET", "caller's value")
	os.Unsetenv("LUAPF_DEP_UNSET")

	plain := lua.NewState()
	defer plain.Close()
	var want []string
	for _, s := range dependencySnippets {
		want = append(want, runSnippet(t, plain, dir, s))
		os.Setenv("LUAPF_DEP_SET", "caller's value")
	}
	for _, m := range []Mode{ModeStandalone, ModeSetup, ModeExecutor} {
		it := newTestInterp(t, m, nil)
		for i, s := range dependencySnippets {
			if got := runSnippet(t, it.L, dir, s); got != want[i] {
				t.Errorf("mode %d: %s\n got: %s\nwant: %s", m, s, got, want[i])
			}
			os.Setenv("LUAPF_DEP_SET", "caller's value")
		}
		if m != ModeSetup {
			if len(it.loaded) != 0 || len(it.deps.envRead) != 0 || len(it.deps.envSet) != 0 || len(it.deps.absent) != 0 {
				t.Errorf("mode %d recorded dependencies: %v %+v", m, it.loaded, it.deps)
			}
			it.Close()
			continue
		}
		files := []string{filepath.Join(dir, "data.txt"), filepath.Join(dir, "conf.lua")}
		if got := slices.Compact(slices.Sorted(slices.Values(it.loaded))); !slices.Equal(got, slices.Sorted(slices.Values(files))) {
			t.Errorf("files read: %q, want %q", got, files)
		}
		if got := slices.Compact(slices.Sorted(slices.Values(it.deps.absent))); !slices.Equal(got, []string{filepath.Join(dir, "missing.txt")}) {
			t.Errorf("files missing: %q", got)
		}
		wantEnv := map[string]envSeen{envLuaPath: lookupEnv(envLuaPath), envLuaCPath: lookupEnv(envLuaCPath), "LUAPF_DEP_READ": {"read value", true}, "LUAPF_DEP_UNSET": {}, "12": {}}
		if !maps.Equal(it.deps.envRead, wantEnv) {
			t.Errorf("variables read: %+v, want %+v", it.deps.envRead, wantEnv)
		}
		if want := []EnvSetting{{"LUAPF_DEP_SET", "set"}}; !slices.Equal(it.deps.envSet, want) {
			t.Errorf("variables set: %q, want %q", it.deps.envSet, want)
		}
		deps, err := it.Dependencies()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"12", "LUAPF_DEP_READ", "LUAPF_DEP_UNSET", envLuaCPath, envLuaPath}; !slices.Equal(deps.EnvNames, want) || len(deps.EnvDigest) != 64 {
			t.Errorf("dependencies: names %q (want %q), digest %q", deps.EnvNames, want, deps.EnvDigest)
		}
		it.Close()
	}
}

// TestDescribeDependenciesLimit: an initialisation that reads more
// environment than can be offered fails initialisation_complete, saying why.
func TestDescribeDependenciesLimit(t *testing.T) {
	it := newTestInterp(t, ModeSetup, nil)
	defer it.Close()
	if err := it.L.DoString(`for i = 1, 3000 do os.getenv(string.rep("x", 30) .. i) end`); err != nil {
		t.Fatal(err)
	}
	if _, err := it.Dependencies(); err == nil || !strings.Contains(err.Error(), "environment variables") {
		t.Errorf("Dependencies: %v", err)
	}
}
