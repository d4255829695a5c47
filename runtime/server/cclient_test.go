package server_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// cClient is chiark's C prefork-interp from Debian.
const cClient = "/usr/bin/prefork-interp"

// cClientIdent returns a fresh server ident for the C client and removes
// the socket, lock and server log it names when the test ends: the C client
// keeps its run directory under the passwd home, outside the test's sandbox.
func cClientIdent(t *testing.T) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	ident := "luapf-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		u, err := user.Current()
		if err != nil {
			return
		}
		host, _ := os.Hostname()
		host, _, _ = strings.Cut(host, ".")
		for _, dir := range []string{filepath.Join("/run/user", u.Uid, "prefork-interp"), filepath.Join(u.HomeDir, ".prefork-interp", host)} {
			for _, name := range []string{"s" + ident, "l" + ident, "g" + ident + ".log"} {
				os.Remove(filepath.Join(dir, name))
			}
		}
	})
	return ident
}

// TestCClient: Debian's C client drives luapf's server and gets the same
// results as luapf's own client, on the spawning call and warm.
func TestCClient(t *testing.T) {
	testutil.RequirePeer(t, testutil.CClient)
	cases := []struct {
		script string
		args   []string
		stdin  string
	}{
		{"hello.lua", []string{"C client"}, ""},
		{"snapshot/varargs.lua", []string{"a", "two words", ""}, ""},
		{"snapshot/closures.lua", nil, ""},
		{"snapshot/errors.lua", nil, ""},
		{"test/status.lua", []string{"3"}, ""},
		{"test/status.lua", []string{"error"}, ""},
		{"test/copy.lua", nil, "some stdin\x00with a NUL\n"},
		{"example/wordstats.lua", []string{"listen", "nonword"}, ""},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.script, "/", "_")+"_"+strings.Join(tc.args, "_"), func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := script(tc.script)
			ours := l.run(tc.stdin, append([]string{path}, tc.args...)...)
			ident := cClientIdent(t)
			for _, call := range []string{"spawning", "warm", "warm again"} {
				cmd := l.sb.Command(cClient, append([]string{"-g", ident, "-U", l.bin, path}, tc.args...)...)
				theirs := testutil.Run(t, cmd, tc.stdin)
				if d := sameResult(ours, theirs); d != "" {
					t.Fatalf("%s call through the C client differs from luapf's client:\n%s", call, d)
				}
			}
		})
	}
}

// TestCClientSetup: chiark's C client gives setup its stderr as stdout and
// stderr, and luapf's setup works with that: what the initialisation
// prints goes to the caller's stderr, warm calls do not repeat it, and a
// script that never calls initialisation_complete ends with luapf's
// message and status 127 (the C client cannot be told it ran as a cold
// run).
func TestCClientSetup(t *testing.T) {
	testutil.RequirePeer(t, testutil.CClient)
	l := newLuapf(t)
	ident := cClientIdent(t)
	path := script("test/initoutput.lua")
	for _, want := range []testutil.Result{
		{Stdout: "call output\n", Stderr: "init to stdout\ninit to stderr\n"},
		{Stdout: "call output\n"},
	} {
		res := testutil.Run(t, l.sb.Command(cClient, "-g", ident, "-U", l.bin, path), "")
		if d := sameResult(want, res); d != "" {
			t.Errorf("through the C client:\n%s", d)
		}
	}
	plain := writeScript(t, "print('ran to the end')\n")
	res := testutil.Run(t, l.sb.Command(cClient, "-g", cClientIdent(t), "-U", l.bin, plain), "")
	if res.Code != 127 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, "ran to the end\nluapf: ") ||
		!strings.Contains(res.Stderr, "ended without calling prefork.initialisation_complete()") {
		t.Errorf("a script without initialisation_complete through the C client: %+v", res)
	}
}
