package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeScript writes a test script of src into a directory of the test's
// own and returns its path.
func writeScript(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInitialisationErrors: what goes wrong before or at
// initialisation_complete reaches the caller of the spawning call, with the
// same message --standalone gives, and leaves no server behind.
func TestInitialisationErrors(t *testing.T) {
	cases := []struct {
		name, src string
		code      int
		stderr    []string
	}{
		{"Lua error", "local prefork = require 'prefork'\nlocal x = nil\nprint(x.field)\nprefork.initialisation_complete()\n",
			1, []string{"script.lua:3: attempt to index local 'x' (a nil value)", "stack traceback:"}},
		{"unknown option", "local prefork = require 'prefork'\nprefork.initialisation_complete{ maxservers = 2 }\n",
			1, []string{"script.lua:2: unknown option \"maxservers\" to initialisation_complete; known options: "}},
		{"value that cannot be carried", "local prefork = require 'prefork'\nlog = io.open('/dev/null', 'w')\nprefork.initialisation_complete()\n",
			1, []string{"script.lua:3: cannot carry global 'log' (open file) across initialisation_complete"}},
		{"called from a function", "local prefork = require 'prefork'\nlocal function init() prefork.initialisation_complete() end\ninit()\n",
			1, []string{"initialisation_complete was called from inside a function; call it as a statement in the script's main chunk"}},
		{"syntax error", "local prefork = require 'prefork'\nlocal = 3\n", 1, []string{"script.lua:2: unexpected symbol near '='"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := writeScript(t, c.src)
			for _, args := range [][]string{{"--standalone", path}, {path}, {path}} {
				res := l.run("", args...)
				if res.Code != c.code || !strings.HasPrefix(res.Stderr, "luapf: ") {
					t.Errorf("%q: exit %d, stderr %q; want exit %d and a luapf: message", args, res.Code, res.Stderr, c.code)
				}
				for _, want := range c.stderr {
					if !strings.Contains(res.Stderr, want) {
						t.Errorf("%q: stderr %q lacks %q", args, res.Stderr, want)
					}
				}
			}
			if !l.sb.WaitNoProcesses("luapf [", 5*time.Second) {
				t.Errorf("processes left after a failed initialisation: %v", l.sb.Processes())
			}
		})
	}
}

// TestNoInitialisationComplete: a script that never calls
// initialisation_complete runs as a cold run does, whatever the way it
// ends: the same stdout (stdin read included), stderr and exit status, and
// nothing left behind: no process, no socket, no lock file.
func TestNoInitialisationComplete(t *testing.T) {
	cases := []struct{ name, src, stdin string }{
		{"runs to its end", "print('ran to the end')\nio.stderr:write('and said so\\n')\n", ""},
		{"filter of stdin", "io.write((io.read('*a'):upper()))\n", "some input\nover two lines\n"},
		{"os.exit with a status", "io.write('unflushed ')\nio.stderr:write('leaving\\n')\nos.exit(3)\n", ""},
		{"os.exit(0)", "io.stdout:setvbuf('full')\nio.write('buffered')\nos.exit(0)\n", ""},
		{"Lua error", "print('before')\nerror('failed on purpose')\n", ""},
		{"requires prefork but never completes", "local prefork = require 'prefork'\nprint(type(prefork.initialisation_complete))\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := writeScript(t, c.src)
			oracle := l.run(c.stdin, "--standalone", path)
			for _, args := range [][]string{{path}, {path}, {"-f", path}} {
				if d := sameResult(oracle, l.run(c.stdin, args...)); d != "" {
					t.Errorf("%q differs from --standalone:\n%s", args, d)
				}
			}
			if !l.sb.WaitNoProcesses("luapf [", 5*time.Second) {
				t.Errorf("processes left: %v", l.sb.Processes())
			}
			if entries, _ := os.ReadDir(l.makeRunDir()); len(entries) > 0 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the run directory holds %v, want nothing", names)
			}
		})
	}
}

// TestInitialisationCompleteTwice: a second call is an error, the same warm
// as standalone.
func TestInitialisationCompleteTwice(t *testing.T) {
	l := newLuapf(t)
	path := writeScript(t, "local prefork = require 'prefork'\nprefork.initialisation_complete()\nprint('once')\nprefork.initialisation_complete()\n")
	oracle := l.run("", "--standalone", path)
	if oracle.Code != 1 || !strings.Contains(oracle.Stderr, "script.lua:4: prefork.initialisation_complete was called a second time") {
		t.Fatalf("--standalone: %+v", oracle)
	}
	for i := 0; i < 2; i++ {
		if d := sameResult(oracle, l.run("", path)); d != "" {
			t.Errorf("call %d differs from --standalone:\n%s", i, d)
		}
	}
}
