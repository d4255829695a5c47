package host_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"luapf/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// The embedding programs the tests run: the example, and a second program
// with other modules.
const (
	jsonluapf  = "./examples/jsonluapf"
	otherluapf = "./runtime/host/testdata/otherluapf"
)

// embedded runs embedding programs in a test's own sandbox.
type embedded struct {
	t  *testing.T
	sb *testutil.Sandbox
}

func newEmbedded(t *testing.T) *embedded {
	t.Helper()
	return &embedded{t: t, sb: testutil.NewSandbox(t)}
}

// run runs bin with args and stdin to its end.
func (e *embedded) run(bin, stdin string, args ...string) testutil.Result {
	e.t.Helper()
	return testutil.Run(e.t, e.sb.Command(bin, args...), stdin)
}

// servers returns the executables of the sandbox's servers, by pid.
func (e *embedded) servers() map[int]string {
	e.t.Helper()
	out := map[int]string{}
	for pid := range e.sb.ProcessesMatching("luapf [server]") {
		exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
		if err != nil {
			e.t.Fatalf("server %d: %v", pid, err)
		}
		out[pid] = exe
	}
	return out
}

// testdata returns the path of a file in this package's testdata.
func testdata(name string) string {
	return filepath.Join(testutil.RepoRoot(), "runtime", "host", "testdata", name)
}

// exampleScript returns the path of a file of the example program.
func exampleScript(name string) string {
	return filepath.Join(testutil.RepoRoot(), "examples", "jsonluapf", name)
}

// TestEmbeddedWarm: the example program runs its scripts --standalone, as
// the call that starts the server, and warm, with the same output and
// status every time, the json module's functions kept during the
// initialisation (in locals, tables, upvalues and metatables) callable in
// every call; one server serves them all.
func TestEmbeddedWarm(t *testing.T) {
	bin := testutil.Program(t, jsonluapf)
	order := `{"items": [{"sku": "A-100", "quantity": 2}, {"sku": "D-402"}, {"sku": "S-121", "quantity": 3}]}`
	calls := []struct {
		name   string
		script string
		stdin  string
		args   []string
		code   int
	}{
		{"quote", exampleScript("quote.lua"), order, nil, 0},
		{"quote --pretty", exampleScript("quote.lua"), order, []string{"--pretty"}, 0},
		{"quote of nothing", exampleScript("quote.lua"), `{}`, nil, 0},
		{"unknown product", exampleScript("quote.lua"), `{"items": [{"sku": "A-100"}, {"sku": "Z-999"}]}`, nil, 1},
		{"not JSON", exampleScript("quote.lua"), `{"items": [`, nil, 2},
		{"kept", testdata("kept.lua"), `{"b": [true, false], "a": null}`, []string{"one", "two words"}, 0},
	}
	e := newEmbedded(t)
	spawned := map[string]bool{}
	for _, c := range calls {
		oracle := e.run(bin, c.stdin, append([]string{"--standalone", c.script}, c.args...)...)
		if oracle.Code != c.code || (c.code == 0 && oracle.Stderr != "") || oracle.Stdout == "" && c.code == 0 {
			t.Fatalf("%s --standalone: %+v, want exit %d", c.name, oracle, c.code)
		}
		for i := 0; i < 10; i++ {
			what := "warm call"
			if !spawned[c.script] {
				what, spawned[c.script] = "the call that starts the server", true
			}
			if d := oracle.Diff(e.run(bin, c.stdin, append([]string{c.script}, c.args...)...)); d != "" {
				t.Fatalf("%s: %s %d differs from --standalone:\n%s", c.name, what, i+1, d)
			}
		}
	}
	servers := e.servers()
	if len(servers) != len(spawned) {
		t.Fatalf("servers %v, want one for each of %d scripts", servers, len(spawned))
	}
	for pid, exe := range servers {
		if exe != bin {
			t.Errorf("server %d runs %s, not the example program %s", pid, exe, bin)
		}
	}
}

// TestRunTimeGoFunctionRefused: a Go function a module made while the
// script ran is refused at initialisation_complete, naming where the
// script kept it, the same cold and warm; no server is left.
func TestRunTimeGoFunctionRefused(t *testing.T) {
	bin := testutil.Program(t, jsonluapf)
	e := newEmbedded(t)
	script := testdata("encoder.lua")
	want := "luapf: " + script + ":6: cannot carry local 'pretty' (Go function) across initialisation_complete: "
	standalone := e.run(bin, "", "--standalone", script)
	warm := e.run(bin, "", script)
	for name, res := range map[string]testutil.Result{"--standalone": standalone, "the spawning call": warm} {
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and a message starting %q", name, res.Code, res.Stdout, res.Stderr, want)
		}
	}
	if d := standalone.Diff(warm); d != "" {
		t.Errorf("the spawning call differs from --standalone:\n%s", d)
	}
	if servers := e.servers(); len(servers) != 0 {
		t.Errorf("servers left running: %v", servers)
	}
}

// TestEmbeddingProgramsSeparateServers: two embedding programs, and luapf
// itself, running the same script from the same directory each get a
// server of their own, and every call reaches its own program's.
func TestEmbeddingProgramsSeparateServers(t *testing.T) {
	programs := map[string]struct{ bin, out string }{
		"jsonluapf":  {testutil.Program(t, jsonluapf), "json\t[1,2]\n"},
		"otherluapf": {testutil.Program(t, otherluapf), "json tag\totherluapf's json\n"},
	}
	e := newEmbedded(t)
	script := testdata("which.lua")
	for round := 0; round < 3; round++ {
		for _, name := range []string{"jsonluapf", "otherluapf"} {
			p := programs[name]
			if res := e.run(p.bin, "", script); res.Code != 0 || res.Stdout != p.out || res.Stderr != "" {
				t.Fatalf("round %d, %s: %+v, want stdout %q", round, name, res, p.out)
			}
		}
	}
	servers := e.servers()
	if len(servers) != 2 {
		t.Fatalf("servers %v, want one for each program", servers)
	}
	seen := map[string]bool{}
	for _, exe := range servers {
		seen[exe] = true
	}
	for name, p := range programs {
		if !seen[p.bin] {
			t.Errorf("no server runs %s (%s): %v", name, p.bin, servers)
		}
	}
}

// TestRebuiltProgram: the executable is part of autoreload and the
// modules part of the ident. A program rebuilt in place makes its server
// give way to a fresh one at the next call; a program with other modules
// installed in its place gets a server of its own, even when its file
// keeps the old one's modification time.
func TestRebuiltProgram(t *testing.T) {
	e := newEmbedded(t)
	installed := filepath.Join(e.sb.Dir, "tool")
	// install puts pkg's executable in place as go build and install do,
	// a new file renamed over the old; keepMtime gives it the old one's
	// modification time, as cp -p or an unpacked archive can.
	install := func(pkg string, keepMtime bool) {
		t.Helper()
		data, err := os.ReadFile(testutil.Program(t, pkg))
		if err != nil {
			t.Fatal(err)
		}
		tmp := installed + ".new"
		if err := os.WriteFile(tmp, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if keepMtime {
			old, err := os.Stat(installed)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, old.ModTime(), old.ModTime()); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Rename(tmp, installed); err != nil {
			t.Fatal(err)
		}
	}
	script := testdata("which.lua")
	// call runs the script and returns the pid of the server that runs
	// the installed program (a replaced one's executable reads "(deleted)").
	call := func(want string) int {
		t.Helper()
		if res := e.run(installed, "", script); res.Code != 0 || res.Stdout != want {
			t.Fatalf("%+v, want stdout %q", res, want)
		}
		for pid, exe := range e.servers() {
			if exe == installed {
				return pid
			}
		}
		t.Fatalf("no server runs %s: %v", installed, e.servers())
		return 0
	}
	gone := func(pid int) bool { return syscall.Kill(pid, 0) != nil }

	install(jsonluapf, false)
	first := call("json\t[1,2]\n")
	if again := call("json\t[1,2]\n"); again != first {
		t.Fatalf("a warm call started another server (%d, then %d)", first, again)
	}
	install(jsonluapf, false)
	rebuilt := call("json\t[1,2]\n")
	if rebuilt == first {
		t.Fatalf("the server %d outlived its program's rebuild", first)
	}
	testutil.WaitFor(t, "the server of the replaced program to quit", func() bool { return gone(first) })

	// Autoreload cannot see this one: only the ident tells them apart.
	install(otherluapf, true)
	other := call("json tag\totherluapf's json\n")
	if other == rebuilt {
		t.Fatalf("a program with other modules used the server %d of the one it replaced", rebuilt)
	}
}
