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
// initialisation_complete gets a message saying so.
func TestNoInitialisationComplete(t *testing.T) {
	l := newLuapf(t)
	path := writeScript(t, "print('ran to the end')\n")
	res := l.run("", path)
	if res.Code != 127 || !strings.Contains(res.Stderr, "ended without calling prefork.initialisation_complete()") {
		t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	if res := l.run("", "--standalone", path); res.Code != 0 || res.Stdout != "ran to the end\n" {
		t.Errorf("--standalone: %+v", res)
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
