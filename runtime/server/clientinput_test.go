package server_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// Bad input to the client and the runtime: PREFORK_INTERP that luapf did
// not write, scripts that cannot run or fail before they are warm, and
// command lines at the edges of what a process can be given.

// TestMalformedPreforkInterp: luapf started as setup with a PREFORK_INTERP
// that is not what a client writes, or that names descriptors that are not
// a client's, exits 127 with one line saying what is wrong.
func TestMalformedPreforkInterp(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		devNulls    int // descriptors from 3 on that are open, on /dev/null
		err         string
	}{
		{"garbage", "garbage", 0, `luapf: parse PREFORK_INTERP "garbage": it has 1 space-separated words, want at least 2`},
		{"empty", "", 0, `luapf: parse PREFORK_INTERP "": it has 1 space-separated words`},
		{"other version", "v2,1.000000000 3,4,5,6", 0, `protocol version "v2" is not v1`},
		{"short timestamp", "v1,1.5 3,4,5,6", 0, `timestamp "1.5" is not SECS.NSECS with exactly 9 digits`},
		{"too few descriptors", "v1,1.000000000 3,4", 0, "the second word has 2 descriptors, want at least 4"},
		{"negative descriptor", "v1,1.000000000 3,-4,5,6", 0, `descriptor 2 "-4" is not a plain decimal number`},
		{"descriptors not open", "v1,1.000000000 7,8,9,10", 0, "luapf: the setup role expects its listening socket named by PREFORK_INTERP on fd 7, which it did not inherit: it is started by a prefork-interp client"},
		// The Go runtime itself holds fds 3 and 4 of a process that was not
		// given them (its cgroup files): they are not taken for inherited.
		{"descriptors not given", "v1,1.000000000 3,4,5,6", 0, "luapf: the setup role expects its listening socket named by PREFORK_INTERP on fd 3, which it did not inherit"},
		{"descriptors of the wrong kind", "v1,1.000000000 3,4,5,6", 4, "luapf: the setup role expects a listening Unix stream socket as its listening socket named by PREFORK_INTERP (fd 3), not a file that is no socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			cmd := l.command(script("hello.lua"))
			cmd.Env = l.sb.WithEnv("PREFORK_INTERP=" + tc.value)
			for i := 0; i < tc.devNulls; i++ {
				f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.ExtraFiles = append(cmd.ExtraFiles, f)
			}
			res := testutil.Run(t, cmd, "")
			if res.Code != 127 || res.Stdout != "" || !strings.Contains(res.Stderr, tc.err) ||
				!strings.HasPrefix(res.Stderr, "luapf: ") || strings.Count(res.Stderr, "\n") != 1 {
				t.Errorf("%+v; want exit 127 and one line of stderr with %q", res, tc.err)
			}
			if procs := l.sb.ProcessesMatching("luapf ["); len(procs) > 0 {
				t.Errorf("processes were left: %v", procs)
			}
		})
	}
}

// TestBadScripts: a script that is missing, a directory, unreadable, not
// Lua, failing in its initialisation, or calling initialisation_complete
// twice fails as it does with --standalone, byte for byte, whether its call
// starts the server or (for the last) is warm, and leaves nothing running
// when no server could start.
func TestBadScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source string // "" for no file
		prep   func(t *testing.T, path string)
		stderr string // what stderr starts with; SCRIPT is the path
		code   int
		warm   bool // a server starts: its later calls fail the same way
	}{
		{"missing", "", nil, "luapf: cannot run SCRIPT: no such file or directory\n", 1, false},
		{"directory", "", func(t *testing.T, path string) { mkdirAll(t, path) }, "luapf: cannot run SCRIPT: it is a directory\n", 1, false},
		{"syntax error", "local prefork = require 'prefork'\nprefork.initialisation_complete(\n", nil, "luapf: SCRIPT:3: unexpected symbol near '<eof>'\n", 1, false},
		{"error in the initialisation", "local prefork = require 'prefork'\nerror('no config')\nprefork.initialisation_complete()\n", nil,
			"luapf: SCRIPT:2: no config\nstack traceback:\n", 1, false},
		{"initialisation_complete twice", "local prefork = require 'prefork'\nprefork.initialisation_complete()\nprint('once')\nprefork.initialisation_complete()\n", nil,
			"luapf: SCRIPT:4: prefork.initialisation_complete was called a second time; call it once, as a statement in the script's main chunk\nstack traceback:\n", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLuapf(t)
			path := filepath.Join(l.sb.Dir, "bad.lua")
			if tc.source != "" {
				writeFile(t, path, tc.source)
			}
			if tc.prep != nil {
				tc.prep(t, path)
			}
			oracle := l.run("", "--standalone", path)
			want := strings.ReplaceAll(tc.stderr, "SCRIPT", path)
			if oracle.Code != tc.code || !strings.HasPrefix(oracle.Stderr, want) {
				t.Fatalf("--standalone: %+v; want exit %d and stderr starting %q", oracle, tc.code, want)
			}
			for _, call := range []string{"first", "second"} {
				if d := sameResult(oracle, l.run("", path)); d != "" {
					t.Errorf("%s call differs from --standalone:\n%s", call, d)
				}
			}
			if got := len(l.servers()); got != map[bool]int{false: 0, true: 1}[tc.warm] {
				t.Errorf("%d servers running: %v", got, l.servers())
			}
		})
	}
}

// TestUnreadableScript: a script its caller may not read fails as with
// --standalone, for a caller (nobody) who is not root, whom permissions do
// not stop.
func TestUnreadableScript(t *testing.T) {
	requireRoot(t)
	l := newLuapf(t)
	home, bin, path := filepath.Join(l.sb.Dir, "nobody"), filepath.Join(l.sb.Dir, "luapf"), filepath.Join(l.sb.Dir, "secret.lua")
	mkdirAll(t, home)
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l.sb.Dir, 0o711); err != nil {
		t.Fatal(err)
	}
	copyFile(t, l.bin, bin, 0o755)
	writeFile(t, path, "local prefork = require 'prefork'\nprefork.initialisation_complete()\n")
	runAsNobody := func(args ...string) testutil.Result {
		cmd := l.sb.Command(asNobody[0], append(append(asNobody[1:], bin), args...)...)
		cmd.Env = l.sb.WithEnv("HOME=" + home)
		return testutil.Run(t, cmd, "")
	}
	oracle := runAsNobody("--standalone", path)
	want := "luapf: cannot run " + path + ": permission denied\n"
	if oracle.Code != 1 || oracle.Stderr != want {
		t.Fatalf("--standalone: %+v; want exit 1 and %q", oracle, want)
	}
	if d := sameResult(oracle, runAsNobody(path)); d != "" {
		t.Errorf("the call differs from --standalone:\n%s", d)
	}
}

// argMax returns how many bytes of arguments and environment (strings
// and pointers) execve accepts here: a quarter of the stack limit, as
// Linux computes it.
func argMax(t *testing.T) int {
	t.Helper()
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_STACK, &rl); err != nil {
		t.Fatal(err)
	}
	limit := min(rl.Cur/4, 6<<20) // the kernel's cap: 3/4 of _STK_LIM
	return int(max(limit, 128<<10))
}

// execSize is what argv and envp take of argMax.
func execSize(argv, env []string) int {
	n := 0
	for _, s := range append(append([]string(nil), argv...), env...) {
		n += len(s) + 1 + 8
	}
	return n + 16
}

// echoed is what echo.lua writes for strings: each followed by a NUL.
func echoed(strs []string) string {
	var b strings.Builder
	for _, s := range strs {
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String()
}

// expectEchoed runs echo.lua with args and env (the values of LUAPF_E0,
// ...) on the call that starts the server, warm, and --standalone, and
// checks that each sees them exactly.
func expectEchoed(t *testing.T, l *luapf, args, values []string) {
	t.Helper()
	var env []string
	for i, v := range values {
		env = append(env, fmt.Sprintf("LUAPF_E%d=%s", i, v))
	}
	path := script("test/echo.lua")
	for _, call := range []string{"spawning", "warm", "--standalone"} {
		argv := append([]string{path}, args...)
		if call == "--standalone" {
			argv = append([]string{call}, argv...)
		}
		cmd := l.command(argv...)
		cmd.Env = l.sb.WithEnv(env...)
		if n, limit := execSize(append([]string{l.bin}, argv...), cmd.Env), argMax(t); n > limit {
			t.Fatalf("the test's command line takes %d bytes, more than execve's %d", n, limit)
		}
		res := testutil.Run(t, cmd, "")
		if res.Code != 0 || res.Stdout != echoed(args) || res.Stderr != echoed(values) {
			t.Errorf("%s call: exit %d; stdout %d bytes (want %d, equal %v); stderr %d bytes (want %d, equal %v); stderr starts %.200q",
				call, res.Code, len(res.Stdout), len(echoed(args)), res.Stdout == echoed(args),
				len(res.Stderr), len(echoed(values)), res.Stderr == echoed(values), res.Stderr)
		}
	}
}

// TestArgumentBytes: arguments and environment values with every byte but
// NUL, empty ones, and ones that look like options pass through untouched.
func TestArgumentBytes(t *testing.T) {
	var every []byte
	for b := 1; b < 256; b++ {
		every = append(every, byte(b))
	}
	args := []string{string(every), "", "-f", "--kill", "--", "a=b", "\n", "\xff\xfe", " spaced  out "}
	// (No empty value: gopher-lua's os.getenv says nil for one.)
	values := []string{string(every), "a=b=c", "\n\n", "\xc3\x28", "="}
	expectEchoed(t, newLuapf(t), args, values)
}

// TestHugeCommandLine: a call with nearly as much argv and environment as
// execve takes (ARG_MAX), in strings as long as Linux allows
// (MAX_ARG_STRLEN) and in a hundred thousand short ones, passes through
// whole, on the call that starts the server too (whose setup gets
// PREFORK_INTERP on top).
func TestHugeCommandLine(t *testing.T) {
	l := newLuapf(t)
	budget := argMax(t) - execSize(append([]string{l.bin, script("test/echo.lua")}, l.sb.Env...), nil) - 4096
	const long = 128<<10 - 1 - len("LUAPF_E00=") // MAX_ARG_STRLEN includes the NUL
	var args, values []string
	for i := 0; i < 100_000; i++ {
		s := fmt.Sprint(i % 1000)
		args = append(args, s)
		budget -= len(s) + 1 + 8
	}
	for i := 0; budget > long+1+8+len("LUAPF_E00="); i++ {
		s := strings.Repeat(string(rune('a'+i%26)), long)
		if i%2 == 0 {
			args = append(args, s)
		} else {
			values = append(values, s)
		}
		budget -= long + 1 + 8 + len("LUAPF_E00=")
	}
	if len(values) == 0 || budget < 0 {
		t.Fatalf("ARG_MAX %d leaves no room for long values", argMax(t))
	}
	t.Logf("%d arguments, %d long environment values, %d bytes of execve's %d", len(args), len(values),
		execSize(args, values), argMax(t))
	expectEchoed(t, l, args, values)
}

// TestTooManyArguments: a request with more arguments than the Lua stack
// holds (no command line can carry that many; a client of its own can
// send them) ends with a message and status 1, not a crash.
func TestTooManyArguments(t *testing.T) {
	l := newLuapf(t)
	path := script("test/echo.lua")
	l.run("", path)
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: l.serverFile("s"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(testutil.HangDeadline))
	if _, err := preforklib.ReadGreeting(conn); err != nil {
		t.Fatal(err)
	}
	stdinR, _ := testutil.Pipe(t)
	stdoutR, stdoutW := testutil.Pipe(t)
	stderrR, stderrW := testutil.Pipe(t)
	argv := append([]string{l.bin, path}, make([]string, 1_000_000)...)
	req := &preforklib.Request{Stdin: stdinR, Stdout: stdoutW, Stderr: stderrW, Env: l.sb.Env, Argv: argv}
	if err := preforklib.WriteRequest(conn, req); err != nil {
		t.Fatal(err)
	}
	stdoutW.Close()
	stderrW.Close()
	status, err := preforklib.ReadStatus(conn)
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := io.ReadAll(stdoutR)
	stderr, _ := io.ReadAll(stderrR)
	want := "luapf: too many arguments to the script: more than 990000\n"
	if ws := syscall.WaitStatus(status); !ws.Exited() || ws.ExitStatus() != 1 || string(stderr) != want || len(stdout) != 0 {
		t.Errorf("status %#x, stdout %q, stderr %q; want exit 1 and %q", status, stdout, stderr, want)
	}
}
