package snapshot

import (
	"errors"
	"os"

	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpus returns the snapshot test scripts under scripts/snapshot.
func corpus(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "scripts", "snapshot", "*.lua"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no snapshot test scripts found: %v", err)
	}
	for i, p := range paths {
		if paths[i], err = filepath.Abs(p); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(paths)
	return paths
}

// TestDifferential runs every corpus script straight through and as
// capture + restore, and requires identical output and status.
func TestDifferential(t *testing.T) {
	args := []string{"one", "two words", "", "tab\there"}
	for _, script := range corpus(t) {
		t.Run(filepath.Base(script), func(t *testing.T) {
			t.Parallel()
			snap := filepath.Join(t.TempDir(), "snap")
			// The setup ran with one environment, the call has another:
			// the continuation must see the call's.
			oracle := runHelper(t, "oracle", script, "", args, "LUAPF_SNAPTEST_ENV=call")
			capture := runHelper(t, "capture", script, snap, args, "LUAPF_SNAPTEST_ENV=setup")
			if capture.status != 0 {
				t.Fatalf("capture failed with status %d:\n%s", capture.status, capture.stderr)
			}
			for _, mode := range []string{"restore", "restore-eager"} {
				restore := runHelper(t, mode, script, snap, args, "LUAPF_SNAPTEST_ENV=call")
				compareRuns(t, mode, oracle, capture, restore)
			}
			if strings.TrimSpace(oracle.stdout) == "" {
				t.Errorf("the oracle printed nothing; the script does not test anything")
			}
		})
	}
}

// compareRuns requires capture's output followed by restore's to be the
// oracle's, and the same status.
func compareRuns(t *testing.T, mode string, oracle, capture, restore runResult) {
	t.Helper()
	if got, want := capture.stdout+restore.stdout, oracle.stdout; got != want {
		t.Errorf("%s: stdout differs\n--- straight through:\n%s\n--- capture + %s:\n%s", mode, want, mode, got)
	}
	if got, want := capture.stderr+restore.stderr, oracle.stderr; got != want {
		t.Errorf("%s: stderr differs\n--- straight through:\n%s\n--- capture + %s:\n%s", mode, want, mode, got)
	}
	if restore.status != oracle.status {
		t.Errorf("%s: status: straight through %d, restored %d", mode, oracle.status, restore.status)
	}
}

// TestCorpusExpectations pins a few results of the corpus, so that a bug
// shared by both runs cannot hide behind the comparison.
func TestCorpusExpectations(t *testing.T) {
	cases := map[string][]string{
		"closures.lua": {"2\n", "3\n", "assigned in the main chunk after the call\n", "assigned by a closure\n", "101\thidden\n"},
		"values.lua":   {"2 -0 -inf\n", "4 9007199254740992 ", "3\t11\t\"nul\\000inside\\000\"\n"},
		"varargs.lua":  {"4\n", "one\ttwo words\t\ttab\there\n", "true\tone\n"},
		"modules.lua":  {"true\t6\t6\n", "late module loaded\n"},
		// A deleted key keeps its place in pairs() order when set again.
		"tables.lua": {"first=1 second=22 third=3 fourth=4 \n", "4\t2\t4\td\n"},
		"errors.lua": {"before the error\n"},
		// The debug library sees the main function it saw before the call.
		"invisible.lua": {"main\t0\t0\t0\t", "true\t0\n", "kept\tsecret\tkept\n", "2\n"},
	}
	for name, wants := range cases {
		script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "snapshot", name))
		res := runHelper(t, "oracle", script, "", []string{"one", "two words", "", "tab\there"})
		for _, want := range wants {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("%s: output lacks %q:\n%s", name, want, res.stdout)
			}
		}
	}
	res := runHelper(t, "oracle", mustAbs(t, "errors.lua"), "", nil)
	if res.status != 1 || !strings.Contains(res.stderr, "errors.lua:5:") {
		t.Errorf("errors.lua: want status 1 and an error at line 5, got %d:\n%s", res.status, res.stderr)
	}
	res = runHelper(t, "oracle", mustAbs(t, "exit.lua"), "", nil)
	if res.status != 3 {
		t.Errorf("exit.lua: status %d, want 3", res.status)
	}
}

func mustAbs(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "scripts", "snapshot", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRefusals checks that what cannot be carried is refused with the path
// a user would write to reach it.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name, src, path, typ string
	}{
		{"open file in a global table", `db = { conn = io.open("/dev/null") }`, "global 'db'.conn", "open file"},
		{"open file in a local", `local log = io.open("/dev/null", "w")`, "local 'log'", "open file"},
		{"coroutine", `local co = coroutine.create(function() end)`, "local 'co'", "coroutine"},
		{"channel", `pipes = { channel.make() }`, "global 'pipes'[1]", "channel"},
		{"runtime Go function", `gen = coroutine.wrap(function() end)`, "global 'gen'", "Go function"},
		{"userdata", `local cfg = { handle = make_userdata() }`, "local 'cfg'.handle", "userdata"},
		{"upvalue of a closure", `do local conn = io.open("/dev/null"); function query() return conn end end`, "upvalue 'conn' of global 'query'", "open file"},
		{"odd key", `t = { ["two words"] = { make_userdata() } }`, `global 't'["two words"][1]`, "userdata"},
		{"in a module", `package.loaded.mymod = { h = make_userdata() }`, "module 'mymod'.h", "userdata"},
		{"as a table key", `keys = { [make_userdata()] = true }`, "a key of global 'keys'", "userdata"},
		{"in a metatable", `obj = setmetatable({}, { ud = make_userdata() })`, "the metatable of global 'obj'.ud", "userdata"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "local prefork = require 'prefork'\n" + c.src + "\nprefork.initialisation_complete()\n"
			_, err := captureInProcess(t, src)
			var ce *CarryError
			if !errors.As(err, &ce) {
				t.Fatalf("want a CarryError, got %v", err)
			}
			if ce.Path != c.path || ce.Type != c.typ {
				t.Errorf("got path %q type %q, want %q %q (%v)", ce.Path, ce.Type, c.path, c.typ, err)
			}
			if !strings.Contains(err.Error(), "after initialisation_complete") {
				t.Errorf("message gives no fix: %v", err)
			}
			if _, checkErr := checkInProcess(t, src); checkErr == nil || checkErr.Error() != err.Error() {
				t.Errorf("Check says %v where Capture says %v", checkErr, err)
			}
		})
	}
}

// checkInProcess is captureInProcess with Check instead of Capture.
func checkInProcess(t *testing.T, src string) ([]byte, error) {
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return runUntilCapture(t, path, "check")
}

// TestCheckAcceptsCorpus: Check finds nothing wrong where Capture succeeds.
func TestCheckAcceptsCorpus(t *testing.T) {
	for _, script := range corpus(t) {
		if _, err := runUntilCapture(t, script, "check"); err != nil {
			t.Errorf("%s: %v", filepath.Base(script), err)
		}
	}
}

// TestPlacement checks the calls that cannot be resumed are refused with a
// message saying where the call must be.
func TestPlacement(t *testing.T) {
	cases := []struct {
		name, src, where string
	}{
		{"inside a function", "local function f() prefork.initialisation_complete() end\nf()", "from inside a function"},
		{"inside a coroutine", "coroutine.wrap(function() prefork.initialisation_complete() end)()", "from inside a coroutine"},
		{"as an expression", "local x = prefork.initialisation_complete()", "as an expression whose value is used"},
		{"in a return statement", "return prefork.initialisation_complete()", "in a return statement"},
		{"through pcall", "pcall(prefork.initialisation_complete)", "through a Go function (such as pcall)"},
		{"from a module", "package.preload.m = loadstring('require(\"prefork\").initialisation_complete()')\nrequire 'm'", "from the main chunk of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := captureInProcess(t, "local prefork = require 'prefork'\n"+c.src+"\n")
			var pe *PlacementError
			if !errors.As(err, &pe) {
				t.Fatalf("want a PlacementError, got %v", err)
			}
			if !strings.HasPrefix(pe.Where, c.where) {
				t.Errorf("where = %q, want %q", pe.Where, c.where)
			}
			if !strings.Contains(err.Error(), "call it as a statement in the script's main chunk") {
				t.Errorf("message does not say where to call it: %v", err)
			}
		})
	}
}

// TestDeterministic checks that capturing the same script twice gives the
// same bytes (key order and object numbering do not depend on map order).
func TestDeterministic(t *testing.T) {
	for _, script := range corpus(t) {
		if filepath.Base(script) == "modules.lua" {
			continue // prints from init; still deterministic, but noisy
		}
		a, errA := captureFile(t, script)
		b, errB := captureFile(t, script)
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v %v", script, errA, errB)
		}
		if string(a) != string(b) {
			t.Errorf("%s: two captures differ (%d and %d bytes)", filepath.Base(script), len(a), len(b))
		}
	}
}
