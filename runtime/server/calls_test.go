package server_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
)

// TestExitStatuses: the client ends as the script's call ended.
func TestExitStatuses(t *testing.T) {
	l := newLuapf(t)
	path := script("test/status.lua")
	for _, tc := range []struct {
		arg  string
		code int
	}{{"0", 0}, {"3", 3}, {"255", 255}, {"error", 1}, {"0", 0}} {
		res := l.run("", path, tc.arg)
		if res.Code != tc.code {
			t.Errorf("status.lua %s: exit %d, want %d (stderr %q)", tc.arg, res.Code, tc.code, res.Stderr)
		}
		if tc.arg == "error" && !strings.HasPrefix(res.Stderr, "luapf: "+path+":8: failed on purpose\nstack traceback:") {
			t.Errorf("uncaught error reported as %q", res.Stderr)
		}
	}
}

// TestExecutorKilled: an executor killed by SIGTERM from outside makes the
// client die of SIGTERM.
func TestExecutorKilled(t *testing.T) {
	l := newLuapf(t)
	path := script("test/status.lua")
	l.run("", path, "0") // start the server
	cmd := l.command(path, "loop")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := readLine(stdout); line != "looping" {
		t.Fatalf("script said %q", line)
	}
	pid := l.onlyPid(l.executors(), "executor (the script asks for no pool)")
	syscall.Kill(pid, syscall.SIGTERM)
	io.Copy(io.Discard, stdout)
	cmd.Wait()
	res := testutil.ResultOf(cmd, "", "")
	if res.Signal != syscall.SIGTERM {
		t.Errorf("client ended with %+v, want death by SIGTERM", res)
	}
}

// readLine reads one line from r, without buffering past it.
func readLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := r.Read(b); err != nil {
			return string(line), err
		}
		if b[0] == '\n' {
			return string(line), nil
		}
		line = append(line, b[0])
	}
}

// TestClientKilledDuringCall: when the client is SIGKILLed while its script
// blocks reading stdin, the executor is gone within 1 s and the server
// keeps serving.
func TestClientKilledDuringCall(t *testing.T) {
	l := newLuapf(t)
	path := script("test/readstdin.lua")
	if res := l.run("x", path); res.Stdout != "waiting\n1\n" {
		t.Fatalf("first call: %+v", res)
	}
	server := l.onlyPid(l.servers(), "server")
	cmd := l.command(path)
	stdin, _ := cmd.StdinPipe()
	defer stdin.Close()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := readLine(stdout); line != "waiting" {
		t.Fatalf("script said %q", line)
	}
	l.onlyPid(l.executors(), "executor")
	cmd.Process.Kill()
	cmd.Wait()
	if !l.sb.WaitNoProcesses("luapf [executor]", time.Second) {
		t.Errorf("the executor outlived its killed client by more than 1 s: %v", l.executors())
	}
	if res := l.run("abc", path); res.Code != 0 || res.Stdout != "waiting\n3\n" {
		t.Errorf("call after the kill: %+v", res)
	}
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
}

// TestPipelines: `script | head -1` and `script | cat` return as soon as
// the script is done, on the spawning call and warm.
func TestPipelines(t *testing.T) {
	l := newLuapf(t)
	lines := script("test/lines.lua")
	for _, call := range []string{"spawning", "warm", "warm again"} {
		res := testutil.Run(t, l.sb.Command("sh", "-c", `"$0" "$1" | head -1`, l.bin, lines), "")
		if res.Code != 0 || res.Stdout != "line 1\n" {
			t.Errorf("%s call | head -1: %+v", call, res)
		}
		res = testutil.Run(t, l.sb.Command("sh", "-c", `"$0" "$1" 3 | cat`, l.bin, lines), "")
		if res.Code != 0 || res.Stdout != "line 1\nline 2\nline 3\n" {
			t.Errorf("%s call | cat: %+v", call, res)
		}
	}
}

// TestStdinPassThrough: stdin end of file passes through, and 1 MiB of
// random bytes comes back identical, spawning and warm.
func TestStdinPassThrough(t *testing.T) {
	l := newLuapf(t)
	copyLua := script("test/copy.lua")
	if res := l.run("", copyLua); res.Code != 0 || res.Stdout != "" {
		t.Fatalf("empty stdin: %+v", res)
	}
	data := make([]byte, 1<<20)
	rand.Read(data)
	for i := 0; i < 3; i++ {
		res := l.run(string(data), copyLua)
		if res.Code != 0 || !bytes.Equal([]byte(res.Stdout), data) {
			t.Fatalf("call %d: 1 MiB through copy.lua came back as %d bytes (equal: %v), exit %d, stderr %q",
				i, len(res.Stdout), res.Stdout == string(data), res.Code, res.Stderr)
		}
	}
}

// TestAutoreload: touching the script or a required module, or replacing
// one with a file dated before the server started, makes the next call
// run the new code.
func TestAutoreload(t *testing.T) {
	l := newLuapf(t)
	dir := t.TempDir()
	main := filepath.Join(dir, "main.lua")
	mod := filepath.Join(dir, "mod.lua")
	write := func(path, src string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(mod, `return { version = "module v1" }`)
	mainSrc := func(v string) string {
		return `local prefork = require "prefork"
package.path = "` + dir + `/?.lua;" .. package.path
local mod = require "mod"
prefork.initialisation_complete()
print("` + v + `", mod.version)
`
	}
	write(main, mainSrc("main v1"))
	expect := func(want string) {
		t.Helper()
		if res := l.run("", main); res.Code != 0 || res.Stdout != want {
			t.Fatalf("got %+v, want stdout %q", res, want)
		}
	}
	expect("main v1\tmodule v1\n")
	expect("main v1\tmodule v1\n")
	write(mod, `return { version = "module v2" }`)
	expect("main v1\tmodule v2\n")
	write(main, mainSrc("main v2"))
	expect("main v2\tmodule v2\n")
	expect("main v2\tmodule v2\n")
	// A module replaced by one dated before the server started, as cp -p
	// or a package upgrade leaves it: its inode changed (ctime).
	write(mod, `return { version = "module v3" }`)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(mod, old, old); err != nil {
		t.Fatal(err)
	}
	expect("main v2\tmodule v3\n")
	expect("main v2\tmodule v3\n")
	testutil.WaitFor(t, "the servers of old code to quit", func() bool { return len(l.servers()) == 1 })
}

// TestIdleTimeout: idle_timeout ends the server; the next call starts a
// new one.
func TestIdleTimeout(t *testing.T) {
	l := newLuapf(t)
	path := script("test/idle.lua")
	if res := l.run("", path); res.Stdout != "served\n" {
		t.Fatalf("%+v", res)
	}
	first := l.onlyPid(l.servers(), "server")
	testutil.WaitFor(t, "the idle server to quit", func() bool { return len(l.servers()) == 0 })
	if res := l.run("", path); res.Stdout != "served\n" {
		t.Fatalf("%+v", res)
	}
	if second := l.onlyPid(l.servers(), "server"); second == first {
		t.Errorf("the same server %d still serves", first)
	}
}

// TestMaxServers: with max_servers = 2, six concurrent sleeping calls never
// run more than two executors at once, and all succeed.
func TestMaxServers(t *testing.T) {
	l := newLuapf(t)
	path := script("test/sleepy.lua")
	l.run("", path, "0")
	var wg sync.WaitGroup
	results := make([]testutil.Result, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.run("", path, "0.5")
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	most := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(5 * time.Millisecond):
			if procs := l.callExecutors(); len(procs) > most {
				most = len(procs)
				if most > 2 {
					t.Logf("at once: %v", describeProcs(procs))
				}
			}
		}
	}
	if most > 2 {
		t.Errorf("%d executors ran at once, max_servers is 2", most)
	}
	if most == 0 {
		t.Errorf("never saw an executor running")
	}
	for i, res := range results {
		if res.Code != 0 || res.Stdout != "slept\n" {
			t.Errorf("call %d: %+v", i, res)
		}
	}
}

// TestKillAndForce: --kill stops a Lua script's server and -f replaces it,
// as for the Perl peer.
func TestKillAndForce(t *testing.T) {
	l := newLuapf(t)
	path := script("hello.lua")
	l.run("", path)
	first := l.onlyPid(l.servers(), "server")
	if res := l.run("", "--kill", path); res.Code != 0 {
		t.Fatalf("--kill: %+v", res)
	}
	if !l.sb.WaitNoProcesses("luapf [", testutil.HangDeadline) {
		t.Fatalf("processes remain after --kill: %v", l.sb.Processes())
	}
	if res := l.run("", path, "again"); res.Stdout != "Hello, again!\n" {
		t.Fatalf("call after --kill: %+v", res)
	}
	second := l.onlyPid(l.servers(), "server")
	if second == first {
		t.Fatalf("--kill left server %d serving", first)
	}
	if res := l.run("", "-f", path, "forced"); res.Stdout != "Hello, forced!\n" {
		t.Fatalf("-f: %+v", res)
	}
	testutil.WaitFor(t, "the replaced server to quit", func() bool {
		_, old := l.servers()[second]
		return !old && len(l.servers()) == 1
	})
}

// callExecutors returns the executors that are children of a server. (A
// child an executor forks, such as the shell of os.execute, shows the
// executor's command line until it execs.)
func (l *luapf) callExecutors() map[int]string {
	servers := l.servers()
	out := map[int]string{}
	for pid, cmd := range l.executors() {
		if _, ok := servers[testutil.ParentPid(pid)]; ok {
			out[pid] = cmd
		}
	}
	return out
}

// describeProcs lists processes with their parent, working directory and
// HOME, for failure messages.
func describeProcs(procs map[int]string) []string {
	var out []string
	for pid, cmd := range procs {
		proc := "/proc/" + strconv.Itoa(pid)
		cwd, _ := os.Readlink(proc + "/cwd")
		home := ""
		environ, _ := os.ReadFile(proc + "/environ")
		for _, kv := range strings.Split(string(environ), "\x00") {
			if strings.HasPrefix(kv, "HOME=") {
				home = kv
			}
		}
		out = append(out, fmt.Sprintf("%d %q ppid %d cwd %s %s", pid, cmd, testutil.ParentPid(pid), cwd, home))
	}
	return out
}
