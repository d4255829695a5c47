package conformance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// TestCLIWithoutLuaPath runs a small tool built on dkjson, pl.List and
// argparse (scripts/conformance/cli_people.lua) with no LUA_PATH: the
// modules are found where Debian installs them, cold (--standalone), as the
// call that starts its server and warm, with each call's own arguments and
// input, and a bad option fails the same way each time.
func TestCLIWithoutLuaPath(t *testing.T) {
	testutil.RequirePeer(t, testutil.LuaLibraries)
	sb := testutil.NewSandbox(t)
	bin := testutil.Binary(t)
	env := environ(sb, testCase{})
	for _, kv := range env {
		if strings.HasPrefix(kv, "LUA_PATH=") || strings.HasPrefix(kv, "LUA_CPATH=") {
			t.Fatalf("the environment still has %s", kv)
		}
	}
	input, err := os.ReadFile(filepath.Join(corpus(), "data", "people.json"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(warm bool, args ...string) testutil.Result {
		t.Helper()
		argv := append([]string{"cli_people.lua"}, args...)
		if !warm {
			argv = append([]string{"--standalone"}, argv...)
		}
		cmd := sb.Command(bin, argv...)
		cmd.Dir, cmd.Env = corpus(), env
		return testutil.Run(t, cmd, string(input))
	}
	calls := []struct {
		args   []string
		stdout string
	}{
		{[]string{"--sort", "age", "--reverse", "--field", "name", "--field", "age", "--min-age", "30"},
			`{"name":"Bea","age":45}` + "\n" + `{"name":"Chen é中","age":38}` + "\n" + `{"name":"Zoë","age":31}` + "\n" + "3 of 4 people\n"},
		{[]string{"--sort", "score"},
			`{"name":"Bea","age":45,"score":-0.015}` + "\n" + `{"name":"Chen é中","age":38,"score":7}` + "\n" +
				`{"name":"adam","age":27,"score":88.25}` + "\n" + `{"name":"Zoë","age":31,"score":95}` + "\n" + "4 of 4 people\n"},
	}
	for _, warm := range []bool{false, true, true} { // cold, the spawning call, warm
		for _, c := range calls {
			got := run(warm, c.args...)
			if got.Code != 0 || got.Stdout != c.stdout || got.Stderr != "" {
				t.Errorf("people %s (warm %v): %+v; want status 0 and stdout\n%s", strings.Join(c.args, " "), warm, got, c.stdout)
			}
		}
	}
	const usage = "Usage: people [-h] [--sort <sort>] [--reverse] [--field <field>]\n       [--min-age <min_age>]\n\nError: unknown option '--bogus'\n"
	for _, warm := range []bool{false, true} {
		if got := run(warm, "--bogus"); got.Code != 1 || got.Stdout != "" || got.Stderr != usage {
			t.Errorf("people --bogus (warm %v): %+v; want status 1 and stderr\n%s", warm, got, usage)
		}
	}
	if servers := sb.ProcessesMatching("luapf [server]"); len(servers) != 1 {
		t.Errorf("want the one server that served the warm calls, found %v", servers)
	}
}
