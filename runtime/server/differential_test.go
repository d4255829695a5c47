package server_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// differentialScripts are the scripts every warm call must run exactly as
// --standalone does: the snapshot corpus and the examples. initStderr is
// what a script's initialisation writes (to stderr only): the spawning call
// shows it, warm calls do not.
func differentialScripts(t *testing.T) map[string]string {
	t.Helper()
	corpus, err := filepath.Glob(script("snapshot/*.lua"))
	if err != nil || len(corpus) == 0 {
		t.Fatalf("no snapshot corpus: %v", err)
	}
	out := map[string]string{
		script("hello.lua"):             "",
		script("example/wordstats.lua"): "",
		script("test/luapfmodules.lua"): "",
	}
	for _, p := range corpus {
		out[p] = ""
	}
	out[script("snapshot/modules.lua")] = "counter module loaded\n"
	return out
}

// TestDifferential: every corpus and example script, run --standalone, as
// the call that starts the server, and as 20 warm calls, gives the same
// stdout, stderr and exit status, byte for byte; with the executors
// restoring lazily, and eagerly (LUAPF_RESTORE=eager).
func TestDifferential(t *testing.T) {
	scripts := differentialScripts(t)
	names := make([]string, 0, len(scripts))
	for p := range scripts {
		names = append(names, p)
	}
	sort.Strings(names)
	args := []string{"listen", "two words", "", "tab\there"}
	for _, path := range names {
		for _, restore := range []string{"lazy", "eager"} {
			testDifferential(t, path, scripts[path], restore, args)
		}
	}
}

func testDifferential(t *testing.T, path, initStderr, restore string, args []string) {
	t.Run(filepath.Base(path)+"/"+restore, func(t *testing.T) {
		t.Parallel()
		l := newLuapf(t)
		l.sb.Env = append(l.sb.Env, "LUAPF_RESTORE="+restore)
		oracle := l.run("", append([]string{"--standalone", path}, args...)...)
		if !strings.HasPrefix(oracle.Stderr, initStderr) {
			t.Fatalf("standalone stderr %q does not start with the initialisation's %q", oracle.Stderr, initStderr)
		}
		spawning := l.run("", append([]string{path}, args...)...)
		if d := sameResult(oracle, spawning); d != "" {
			t.Fatalf("the spawning call differs from --standalone:\n%s", d)
		}
		warm := oracle
		warm.Stderr = strings.TrimPrefix(oracle.Stderr, initStderr)
		for i := 0; i < 20; i++ {
			if d := sameResult(warm, l.run("", append([]string{path}, args...)...)); d != "" {
				t.Fatalf("warm call %d differs from --standalone:\n%s", i+1, d)
			}
		}
		l.onlyPid(l.servers(), "server")
		if logs := l.serverLogs(); !strings.Contains(logs, "restore "+restore+")") {
			t.Errorf("the server does not say it restores %s:\n%s", restore, logs)
		}
	})
}

// TestInitOutput: what the initialisation writes to stdout and stderr goes
// to the spawning call's stdout and stderr, as in a cold run; warm calls
// write only their own output.
func TestInitOutput(t *testing.T) {
	l := newLuapf(t)
	path := script("test/initoutput.lua")
	oracle := l.run("", "--standalone", path)
	if oracle.Code != 0 || oracle.Stdout != "init to stdout\ncall output\n" || oracle.Stderr != "init to stderr\n" {
		t.Fatalf("--standalone: %+v", oracle)
	}
	if d := sameResult(oracle, l.run("", path)); d != "" {
		t.Fatalf("the spawning call differs from --standalone:\n%s", d)
	}
	for i := 0; i < 3; i++ {
		warm := l.run("", path)
		if warm.Code != 0 || warm.Stdout != "call output\n" || warm.Stderr != "" {
			t.Fatalf("warm call: %+v", warm)
		}
	}
}
