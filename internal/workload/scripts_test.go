package workload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// runLua runs a workload script under plain gopher-lua with the no-op
// prefork module, as the harness's cold contenders do, and returns what it
// printed.
func runLua(t *testing.T, dir, script string, args ...string) string {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	// print writes to os.Stdout as it is at the time of the call.
	saved := os.Stdout
	os.Stdout = out
	defer func() { os.Stdout = saved }()
	L.SetField(L.GetGlobal("package"), "path", lua.LString(filepath.Join(dir, "?.lua")))
	arg := L.NewTable()
	arg.RawSetInt(0, lua.LString(filepath.Join(dir, script)))
	for i, a := range args {
		arg.RawSetInt(i+1, lua.LString(a))
	}
	L.SetGlobal("arg", arg)
	if err := L.DoFile(filepath.Join(dir, script)); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	out.Close()
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLuaScripts(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"prefork.lua": NoopPrefork(),
		"hello.lua":   HelloLua(),
		"data.lua":    DataLua(1000),
		"compute.lua": ComputeLua(1000),
		"modules.lua": ModulesLua(3),
		"touch.lua":   TouchLua(1000),
		"tables.lua":  TablesLua(2),
	}
	for name, src := range Modules(3, 30000) {
		files[filepath.Join(ModulesDir, name+".lua")] = src
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		script, arg string
		check       func(string) bool
	}{
		{"hello.lua", "bench", func(s string) bool { return s == HelloLine("bench") }},
		{"data.lua", "777", func(s string) bool { return s == DataLine(777) }},
		{"data.lua", "1", func(s string) bool { return s == "1 row1 0.5\n" }},
		{"compute.lua", "7", func(s string) bool { return strings.HasPrefix(s, "bucket 7: ") && s != "bucket 7: 0\n" }},
		{"modules.lua", "2", func(s string) bool { return strings.HasPrefix(s, "M2_F1:") }},
		{"touch.lua", "0", func(s string) bool { return s == TouchLine(1000, "0") && s == "0 0.0\n" }},
		{"touch.lua", "1", func(s string) bool { return s == TouchLine(1000, "1") }},
		{"touch.lua", "1000", func(s string) bool { return s == TouchLine(1000, "1000") && s == TouchLine(1000, "all") }},
		{"touch.lua", "all", func(s string) bool { return s == TouchLine(1000, "all") }},
		{"tables.lua", "2", func(s string) bool { return s != "" && s != "0\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.script+" "+tt.arg, func(t *testing.T) {
			if got := runLua(t, dir, tt.script, tt.arg); !tt.check(got) {
				t.Errorf("%s %s printed %q", tt.script, tt.arg, got)
			}
		})
	}
}

func TestPerlScripts(t *testing.T) {
	for name, src := range map[string]string{"hello": HelloPerl(), "data": DataPerl(10), "touch": TouchPerl(10)} {
		for _, want := range []string{"use Proc::Prefork::Interp;", "prefork_initialisation_complete();", "POSIX::_exit(0);"} {
			if !strings.Contains(src, want) {
				t.Errorf("%s Perl script lacks %q", name, want)
			}
		}
	}
	if !strings.Contains(DataPerl(1234), "1 .. 1234") {
		t.Errorf("DataPerl(1234) does not build 1234 rows")
	}
}

// TestTouchMemory: with "mem", the touch workload also reports its private
// memory, read from /proc/self/smaps_rollup.
func TestTouchMemory(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{"prefork.lua": NoopPrefork(), "touch.lua": TouchLua(100)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := runLua(t, dir, "touch.lua", "all", "mem")
	first, mem, _ := strings.Cut(got, "\n")
	if first+"\n" != TouchLine(100, "all") || !strings.HasPrefix(mem, "private ") || !strings.HasSuffix(mem, " kB\n") || mem == "private 0 kB\n" {
		t.Errorf("touch.lua all mem printed %q", got)
	}
}
