package warm_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// The acceptance tests of issue 8: a warm call behaves exactly like a cold
// run, whatever changed since the server started.

// runWith runs luapf with args and the sandbox environment plus env.
func (l *luapf) runWith(env []string, args ...string) testutil.Result {
	l.t.Helper()
	cmd := l.command(args...)
	cmd.Env = l.sb.WithEnv(env...)
	return testutil.Run(l.t, cmd, "")
}

// serverOfCall returns the "server PID" a test script printed.
func serverOfCall(t *testing.T, res testutil.Result) string {
	t.Helper()
	m := regexp.MustCompile(`server (\d+)`).FindStringSubmatch(res.Stdout)
	if m == nil || res.Code != 0 {
		t.Fatalf("no server in the call's output: %+v", res)
	}
	return m[1]
}

// TestInitSetenv: what the initialisation sets with os.setenv, each call
// sees, as in a cold run, whatever the caller's value; reading it back is
// no dependency, so all callers share the server.
func TestInitSetenv(t *testing.T) {
	l := newLuapf(t)
	path := script("test/initsetenv.lua")
	cold := l.runWith([]string{"LUAPF_INIT_SET=caller"}, "--standalone", path)
	want := "set by the initialisation\tset by the initialisation\nchild: set by the initialisation\n"
	if cold.Stdout != want {
		t.Fatalf("--standalone: %+v", cold)
	}
	for _, env := range [][]string{{"LUAPF_INIT_SET=caller"}, nil, {"LUAPF_INIT_SET=other"}} {
		if d := sameResult(cold, l.runWith(env, path)); d != "" {
			t.Errorf("call with %q differs from --standalone:\n%s", env, d)
		}
	}
	l.onlyPid(l.servers(), "server")
}

// TestDataFileDependencies: editing a data file the initialisation read
// (with io.open, io.lines, dofile or io.input), or creating one it looked
// for, makes the next call see the new data. A file the initialisation
// wrote, or read from /proc, does not make the server reload.
func TestDataFileDependencies(t *testing.T) {
	l := newLuapf(t)
	dir := copyScripts(t, "test/datafiles.lua")
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("data.txt", "data v1\n")
	write("lines.txt", "l1\nl2\n")
	write("conf.lua", `return { value = "conf v1" }`)
	write("input.txt", "input v1\n")
	path := filepath.Join(dir, "datafiles.lua")
	server := ""
	expect := func(want string, reload bool) {
		t.Helper()
		res := l.run("", path)
		if !strings.HasPrefix(res.Stdout, want+"\tserver ") || res.Stderr != "" {
			t.Fatalf("got %+v, want stdout starting %q", res, want)
		}
		got := serverOfCall(t, res)
		if reloaded := got != server; reloaded != reload {
			t.Fatalf("server %s after %s: reloaded %v, want %v", got, server, reloaded, reload)
		}
		server = got
	}
	expect("data v1\tl1,l2\tconf v1\tinput v1\tabsent", true)
	expect("data v1\tl1,l2\tconf v1\tinput v1\tabsent", false)
	write("data.txt", "data v2\n")
	expect("data v2\tl1,l2\tconf v1\tinput v1\tabsent", true)
	write("lines.txt", "l1\nl2\nl3\n")
	expect("data v2\tl1,l2,l3\tconf v1\tinput v1\tabsent", true)
	write("conf.lua", `return { value = "conf v2" }`)
	expect("data v2\tl1,l2,l3\tconf v2\tinput v1\tabsent", true)
	write("input.txt", "input v2\n")
	expect("data v2\tl1,l2,l3\tconf v2\tinput v2\tabsent", true)
	write("optional.txt", "present\n")
	expect("data v2\tl1,l2,l3\tconf v2\tinput v2\tpresent", true)
	expect("data v2\tl1,l2,l3\tconf v2\tinput v2\tpresent", false)
}
