package client

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// TestCommandLineOfBinary runs the real binary under both names for what
// needs no server.
func TestCommandLineOfBinary(t *testing.T) {
	sb := testutil.NewSandbox(t)
	luapf, pfi := testutil.Binary(t), preforkInterpLink(t)
	tests := []struct {
		name   string
		argv   []string
		code   int
		stdout string // substring
		stderr string // substring; "" for none at all
	}{
		{"version", []string{luapf, "--version"}, 0, "luapf " + Version + "\n", ""},
		{"help", []string{luapf, "--help"}, 0, "usage: luapf [options] SCRIPT [ARGS...]", ""},
		{"prefork-interp help", []string{pfi, "--help"}, 0, "usage: prefork-interp [options] INTERPRETER", ""},
		{"no script", []string{luapf}, preforklib.ExitLuapfError, "", "luapf: no script given"},
		{"bad option", []string{luapf, "-q", "s.lua"}, preforklib.ExitLuapfError, "", "luapf: unknown option -q"},
		{"prefork-interp without -U", []string{pfi, "perl", "s.pl"}, preforklib.ExitLuapfError, "", "luapf: need -U"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := testutil.Run(t, sb.Command(tt.argv[0], tt.argv[1:]...), "")
			if e.Code != tt.code || !strings.Contains(e.Stdout, tt.stdout) || (tt.stderr == "") != (e.Stderr == "") || !strings.Contains(e.Stderr, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", e.Code, e.Stdout, e.Stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestStandaloneHook(t *testing.T) {
	var gotScript string
	var gotArgs []string
	rt := Runtime{Standalone: func(script string, args []string) int {
		gotScript, gotArgs = script, args
		return 42
	}}
	if code := Main([]string{"luapf", "--standalone", "s.lua", "a", "-f"}, rt); code != 42 {
		t.Errorf("Main --standalone returned %d, want the hook's 42", code)
	}
	if gotScript != "s.lua" || !reflect.DeepEqual(gotArgs, []string{"a", "-f"}) {
		t.Errorf("hook got %q %q", gotScript, gotArgs)
	}
	if code := Main([]string{"luapf", "--standalone", "s.lua"}, Runtime{}); code != preforklib.ExitLuapfError {
		t.Errorf("Main --standalone without a hook returned %d, want %d", code, preforklib.ExitLuapfError)
	}
}

// TestSetupFailures checks the ends of a server start that fails: the
// client ends as setup ended, or explains that the script never finished
// its initialisation, and leaves no socket and no process behind.
func TestSetupFailures(t *testing.T) {
	testutil.RequirePeer(t, testutil.PerlServer)
	pfi := preforkInterpLink(t)
	tests := []struct {
		name, script string
		code         int
		stderr       []string
	}{
		{"setup exits 5", "setup_fails.pl", 5, []string{"setup stdout\n", "setup stderr\n"}},
		{"no initialisation complete", "no_init.pl", preforklib.ExitLuapfError, []string{"luapf: setup of " + testdata(t, "no_init.pl") + " exited without starting a server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := testutil.NewSandbox(t)
			e := testutil.Run(t, sb.Command(pfi, "-U", "perl", testdata(t, tt.script)), "")
			if e.Code != tt.code || e.Stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and no stdout", e.Code, e.Stdout, e.Stderr, tt.code)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(e.Stderr, s) {
					t.Errorf("stderr %q does not contain %q", e.Stderr, s)
				}
			}
			expectNoSocket(t, sb)
			if !sb.WaitNoProcesses("", testutil.HangDeadline) {
				t.Errorf("processes remain: %v", sb.Processes())
			}
		})
	}
	t.Run("luapf setup fails", func(t *testing.T) {
		// Whatever the Lua runtime does with a script that does not
		// exist, setup fails, and the client passes that on.
		sb := testutil.NewSandbox(t)
		e := testutil.Run(t, sb.Command(testutil.Binary(t), filepath.Join(sb.Dir, "missing.lua")), "")
		if e.Code == 0 || e.Stdout != "" || !strings.HasPrefix(e.Stderr, "luapf: ") {
			t.Errorf("exit %d, stdout %q, stderr %q; want a failure explained on stderr", e.Code, e.Stdout, e.Stderr)
		}
		expectNoSocket(t, sb)
		if !sb.WaitNoProcesses("", testutil.HangDeadline) {
			t.Errorf("processes remain: %v", sb.Processes())
		}
	})
}

func expectNoSocket(t *testing.T, sb *testutil.Sandbox) {
	t.Helper()
	socks, _ := filepath.Glob(filepath.Join(sb.Home, ".luapf", "*", "s*"))
	if len(socks) != 0 {
		t.Errorf("a socket nobody serves was left behind: %v", socks)
	}
}

// TestInteropFixedIdent checks that -g names the socket.
func TestInteropFixedIdent(t *testing.T) {
	p := newPerlCall(t)
	if e := p.run("", nil, []string{"-g", "my-server"}, "0"); e.Code != 0 {
		t.Fatalf("exit %d, stderr %q", e.Code, e.Stderr)
	}
	socks, _ := filepath.Glob(filepath.Join(p.sb.Home, ".luapf", "*", "smy-server"))
	if len(socks) != 1 {
		t.Fatalf("no socket smy-server in the run directory")
	}
	if fi, err := os.Stat(socks[0]); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("%s is not a socket: %v", socks[0], err)
	}
}
