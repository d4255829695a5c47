package server_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// TestEnvDependencies: the initialisation reads MODE. Calls with MODE=a,
// MODE=b, MODE unset and MODE empty each see their own initialisation's
// value (os.getenv gives nil for unset and "" for empty), from a server of
// their own; a call with an unrelated variable changed shares the server of
// its MODE. --kill stops the servers the caller's environment leads to.
func TestEnvDependencies(t *testing.T) {
	l := newLuapf(t)
	path := script("test/envinit.lua")
	servers := map[string]string{} // MODE → server
	for i, call := range []struct {
		env  []string
		mode string
	}{
		{[]string{"MODE=a"}, "a"},
		{[]string{"MODE=b"}, "b"},
		{[]string{"MODE=a", "UNRELATED=1"}, "a"},
		{[]string{"MODE=b", "UNRELATED=2"}, "b"},
		{nil, "nil"},
		{[]string{"MODE=a", "UNRELATED=3"}, "a"},
		{[]string{"MODE="}, ""}, // os.getenv gives "", not nil
		{[]string{"MODE=", "UNRELATED=4"}, ""},
	} {
		res := l.runWith(call.env, path)
		want := "init MODE=" + call.mode + "\tcall MODE=" + call.mode + "\t"
		if !strings.HasPrefix(res.Stdout, want) || res.Stderr != "" {
			t.Fatalf("call %d with %q: %+v, want stdout starting %q", i, call.env, res, want)
		}
		server := serverOfCall(t, res)
		if first, ok := servers[call.mode]; !ok {
			servers[call.mode] = server
		} else if server != first {
			t.Errorf("call %d with %q was served by server %s, MODE=%s's first call by %s", i, call.env, server, call.mode, first)
		}
	}
	if n := len(l.servers()); n != 4 {
		t.Errorf("%d servers for four values of MODE (a, b, unset, empty): %v", n, l.servers())
	}
	// --status lists the variables, and follows the way a call goes.
	res := l.runWith([]string{"MODE=b"}, "--status", path)
	blocks := strings.Split(res.Stdout, "\n\n")
	if res.Code != 0 || len(blocks) != 2 || !strings.Contains(blocks[1], "a call from here goes on to:\nserver for "+path+"\n") {
		t.Fatalf("--status with MODE=b shows no second server: %+v", res)
	}
	for _, b := range blocks {
		if _, fields := statusFields(t, b); fields["env"] != "LUA_CPATH LUA_PATH MODE" {
			t.Errorf("--status lists the variables read as %q, want \"LUA_CPATH LUA_PATH MODE\":\n%s", fields["env"], b)
		}
	}
	// The calls that went on from MODE=a's server are no failed calls.
	if _, fields := statusFields(t, blocks[0]); fields["calls"] != "3 served, 0 failed" {
		t.Errorf("the server for MODE=a counts calls %q, want \"3 served, 0 failed\"", fields["calls"])
	}
	// MODE=b's server is derived from MODE=a's, the first: --kill with
	// MODE=b stops both, and leaves the others.
	before := len(l.servers())
	if res := l.runWith([]string{"MODE=b"}, "--kill", path); res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Fatalf("--kill: %+v", res)
	}
	testutil.WaitFor(t, "the servers for MODE=a and MODE=b to quit", func() bool { return len(l.servers()) == before-2 })
	if res := l.runWith([]string{"MODE=b"}, path); serverOfCall(t, res) == servers["b"] {
		t.Errorf("--kill with MODE=b left its server serving: %+v", res)
	}
}

// TestEnvDependenciesFixedIdent: with -g the ident is fixed, so a call with
// other values replaces the server with one of its own.
func TestEnvDependenciesFixedIdent(t *testing.T) {
	l := newLuapf(t)
	path := script("test/envinit.lua")
	for _, mode := range []string{"a", "b", "b", "a"} {
		res := l.runWith([]string{"MODE=" + mode}, "-g", "envfixed", path)
		if want := "init MODE=" + mode + "\tcall MODE=" + mode + "\t"; !strings.HasPrefix(res.Stdout, want) {
			t.Fatalf("MODE=%s: %+v, want stdout starting %q", mode, res, want)
		}
	}
	testutil.WaitFor(t, "the replaced servers to quit", func() bool { return len(l.servers()) == 1 })
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

// runInShell runs luapf with args from sh -c, after the shell commands in
// prefix, which end with an exec (or a command that execs): sh -c 'PREFIX
// "$0" "$@"' luapf ARGS.
func (l *luapf) runInShell(prefix string, args ...string) testutil.Result {
	l.t.Helper()
	return testutil.Run(l.t, l.sb.Command("sh", append([]string{"-c", prefix + ` "$0" "$@"`, l.bin}, args...)...), "")
}

// TestCallContext: the caller's umask, resource limits, nice value and time
// zone are what a warm call sees, exactly as --standalone does, though the
// server was started with others; and they do not stick to the server.
func TestCallContext(t *testing.T) {
	l := newLuapf(t)
	path := script("test/context.lua")
	// The server starts with the hard limits of the test, so that no
	// case needs privilege to raise one.
	const defaults = "umask 022 && ulimit -Sn 1000 && exec"
	first := l.runInShell(defaults, path)
	if first.Code != 0 {
		t.Fatalf("first call: %+v", first)
	}
	server := l.onlyPid(l.servers(), "server")
	for _, prefix := range []string{
		"umask 077 && ulimit -n 100 && exec",     // the acceptance case: soft and hard limit
		"umask 027 && ulimit -Sn 100 && exec",    // soft only, which the Go runtime raises in the client
		"ulimit -c 0 && ulimit -Ss 4096 && exec", // core and stack
		"umask 002 && TZ=Asia/Tokyo exec",        // the time zone comes with the environment
		"exec nice -n 7",                         // a lower priority
		defaults,
	} {
		cold := l.runInShell(prefix, "--standalone", path)
		warm := l.runInShell(prefix, path)
		if d := sameResult(cold, warm); d != "" {
			t.Errorf("after %q the warm call differs from --standalone:\n%s", prefix, d)
		}
		if cold.Code != 0 || cold.Stdout == first.Stdout && prefix != defaults {
			t.Errorf("after %q --standalone printed %+v, as the call that started the server did: the case tests nothing", prefix, cold)
		}
	}
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
}

// TestCPUsAsTheCaller: the server a client starts and the script's calls
// get the caller's CPUs (a client once held itself on one CPU while it
// called, and had to give them back).
func TestCPUsAsTheCaller(t *testing.T) {
	l := newLuapf(t)
	path := script("test/cpus.lua")
	cold := l.run("", "--standalone", path)
	if !strings.HasPrefix(cold.Stdout, "Cpus_allowed_list:") {
		t.Fatalf("--standalone printed %+v", cold)
	}
	for i := 0; i < 3; i++ { // the call that starts the server, then warm calls
		if d := sameResult(cold, l.run("", path)); d != "" {
			t.Errorf("call %d differs from --standalone:\n%s", i, d)
		}
	}
	server := l.onlyPid(l.servers(), "server")
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", server))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), strings.TrimSuffix(cold.Stdout, "\n")+"\n") {
		t.Errorf("the server's CPUs are not the caller's %q:\n%s", cold.Stdout, status)
	}
}

// TestColdFallback: when the run directory cannot be used, or a socket
// path would be too long, the script runs in the client's process and
// prints what --standalone prints, after one warning line.
func TestColdFallback(t *testing.T) {
	warning := regexp.MustCompile(`^luapf: warning: cannot use a server: [^\n]*; running \S+ without a server\n`)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, runDir string)
		wrap    func(l *luapf, cmd *exec.Cmd) *exec.Cmd
		args    []string
	}{
		{name: "run directory is a file", prepare: func(t *testing.T, runDir string) {
			os.RemoveAll(runDir)
			if err := os.WriteFile(runDir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "run directory read-only", wrap: readOnlyRunDir},
		{name: "ident too long for a socket path", args: []string{"-g", strings.Repeat("x", 120)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			runDir := l.makeRunDir()
			if tc.prepare != nil {
				tc.prepare(t, runDir)
			}
			for _, call := range [][]string{{script("hello.lua"), "cold"}, {script("test/status.lua"), "3"}, {script("test/initoutput.lua")}, {script("test/cpus.lua")}} {
				cold := l.run("", append([]string{"--standalone"}, call...)...)
				cmd := l.command(append(tc.args, call...)...)
				if tc.wrap != nil {
					cmd = tc.wrap(l, cmd)
				}
				got := testutil.Run(t, cmd, "")
				w := warning.FindString(got.Stderr)
				if w == "" {
					t.Fatalf("%q: no warning line first in stderr %q", call, got.Stderr)
				}
				got.Stderr = strings.TrimPrefix(got.Stderr, w)
				if d := sameResult(cold, got); d != "" {
					t.Errorf("%q without a server differs from --standalone (besides the warning %q):\n%s", call, w, d)
				}
			}
			if n := len(l.servers()); n != 0 {
				t.Errorf("servers started: %v", l.servers())
			}
		})
	}
}

// makeRunDir returns the run directory luapf uses in the sandbox, made as
// luapf makes it.
func (l *luapf) makeRunDir() string {
	l.t.Helper()
	dir := ""
	for _, kv := range l.sb.Env {
		if v, ok := strings.CutPrefix(kv, "XDG_RUNTIME_DIR="); ok {
			dir = filepath.Join(v, "luapf")
		}
	}
	if dir == "" {
		host, err := os.Hostname()
		if err != nil {
			l.t.Fatal(err)
		}
		host, _, _ = strings.Cut(host, ".")
		dir = filepath.Join(l.sb.Home, ".luapf", host)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		l.t.Fatal(err)
	}
	return dir
}

// readOnlyRunDir makes the run directory read-only for cmd: for root, to
// whom permissions do not apply, with a read-only bind mount in a mount
// namespace of cmd's own; for anyone else by taking away write permission.
func readOnlyRunDir(l *luapf, cmd *exec.Cmd) *exec.Cmd {
	dir := l.makeRunDir()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			l.t.Fatal(err)
		}
		l.t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return cmd
	}
	ro := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "sh", "-c",
		`mount --bind -o ro "$0" "$0" && exec "$@"`, dir, cmd.Path}, cmd.Args[1:]...)...)
	ro.Env, ro.Dir = cmd.Env, cmd.Dir
	return ro
}

// TestNoSecondRun: a script whose initialisation fails reports it; the
// client does not run it again without a server.
func TestNoSecondRun(t *testing.T) {
	l := newLuapf(t)
	path := script("test/initfails.lua")
	res := l.run("", path)
	if res.Code != 1 || strings.Count(res.Stderr, "initialisation ran\n") != 1 || !strings.Contains(res.Stderr, "initialisation failed on purpose") ||
		strings.Contains(res.Stderr, "without a server") {
		t.Errorf("%+v", res)
	}
}

// TestNoFallbackForOtherInterpreters: as prefork-interp for an interpreter
// other than luapf, there is nothing to run in process: the failure is
// reported.
func TestNoFallbackForOtherInterpreters(t *testing.T) {
	l := newLuapf(t)
	runDir := l.makeRunDir()
	os.RemoveAll(runDir)
	if err := os.WriteFile(runDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "prefork-interp")
	if err := os.Symlink(l.bin, link); err != nil {
		t.Fatal(err)
	}
	res := testutil.Run(t, l.sb.Command(link, "-U", "perl", script("hello.lua")), "")
	if res.Code != 127 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, "luapf: create run directory") || strings.Contains(res.Stderr, "warning") {
		t.Errorf("%+v", res)
	}
}

// TestChildEnvironmentAsTheCaller: a script's child gets the caller's
// environment, every entry in the caller's order, as it would from the
// script run on its own: with the server's environment, and with values
// changed, names added, removed or moved (runtime/executor's
// setCallEnv sets only what differs when the names are the server's).
func TestChildEnvironmentAsTheCaller(t *testing.T) {
	l := newLuapf(t)
	path := script("test/childenv.lua")
	base := l.sb.WithEnv("LUAPF_TEST_A=1", "LUAPF_TEST_B=2")
	without := func(env []string, name string) []string {
		return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	}
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"spawning", base},
		{"the server's environment", base},
		{"a value changed", l.sb.WithEnv("LUAPF_TEST_A=changed", "LUAPF_TEST_B=2")},
		{"a name added", append(slices.Clone(base), "LUAPF_TEST_C=3")},
		{"a name removed", without(base, "LUAPF_TEST_A")},
		{"a name moved first", append([]string{"LUAPF_TEST_B=2"}, without(base, "LUAPF_TEST_B")...)},
		{"the server's environment again", base},
	} {
		cold := l.sb.Command(l.bin, "--standalone", path)
		cold.Env = tc.env
		want := testutil.Run(t, cold, "")
		warm := l.sb.Command(l.bin, path)
		warm.Env = tc.env
		if d := sameResult(want, testutil.Run(t, warm, "")); d != "" {
			t.Errorf("%s: the call differs from --standalone:\n%s", tc.name, d)
		}
	}
}
