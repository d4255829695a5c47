package server_test

import (
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/preforklib"
)

// statusFields parses one server's block of `luapf --status` output into
// its "  name  value" lines, and the script of its "server for" line.
func statusFields(t *testing.T, out string) (script string, fields map[string]string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^server for (.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no server in the --status output %q", out)
	}
	fields = map[string]string{}
	for _, f := range regexp.MustCompile(`(?m)^  (\w+) +(.*)$`).FindAllStringSubmatch(out, -1) {
		fields[f[1]] = f[2]
	}
	return m[1], fields
}

// status runs luapf --status with args and fails unless it exits with code.
func (l *luapf) status(code int, args ...string) string {
	l.t.Helper()
	res := l.run("", append([]string{"--status"}, args...)...)
	if res.Code != code || res.Stderr != "" {
		l.t.Fatalf("--status %q: exit %d (want %d), stderr %q, stdout %q", args, res.Code, code, res.Stderr, res.Stdout)
	}
	return res.Stdout
}

// TestStatus: --status for a script with no server, with a running one,
// and with no script, listing every server and a stale socket.
func TestStatus(t *testing.T) {
	l := newLuapf(t)
	hello := script("hello.lua")
	if out := l.status(1, hello); !strings.HasPrefix(out, "no server for "+hello+" (socket ") || !strings.HasSuffix(out, "): nobody listens\n") {
		t.Errorf("--status with no server: %q", out)
	}
	if out := l.status(1); !strings.HasPrefix(out, "no luapf servers in ") {
		t.Errorf("--status with no servers at all: %q", out)
	}

	l.run("", hello)
	var fields map[string]string
	testutil.WaitFor(t, "the pool to be refilled", func() bool {
		_, fields = statusFields(t, l.status(0, hello))
		return fields["executors"] == "0 busy, 1 pooled"
	})
	// Only now: an executor being started shows the server's command
	// line until it execs.
	server := l.onlyPid(l.servers(), "server")
	name, _ := statusFields(t, l.status(0, hello))
	want := map[string]string{"pid": strconv.Itoa(server), "calls": "1 served, 0 failed", "executors": "0 busy, 1 pooled"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("--status %s: %q, want %q (all: %v)", k, fields[k], v, fields)
		}
	}
	if name != hello {
		t.Errorf("--status names the script %q, want %q", name, hello)
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(fields["snapshot"], " bytes")); err != nil || n <= 0 {
		t.Errorf("--status snapshot %q", fields["snapshot"])
	}
	if !regexp.MustCompile(`^\d+s$`).MatchString(fields["uptime"]) {
		t.Errorf("--status uptime %q", fields["uptime"])
	}
	checkLogWhere(t, fields["log"])

	// Two servers and a stale socket, listed by --status with no script.
	copyLua := script("test/copy.lua")
	l.run("", copyLua)
	_, copyFields := statusFields(t, l.status(0, copyLua))
	second, _ := strconv.Atoi(copyFields["pid"])
	out := l.status(0)
	for _, s := range []string{"server for " + hello + "\n", "server for " + copyLua + "\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("--status lists no %q:\n%s", s, out)
		}
	}
	syscall.Kill(second, syscall.SIGKILL)
	testutil.WaitFor(t, "the killed server to go", func() bool { return procState(second) == 0 || procState(second) == 'Z' })
	out = l.status(0)
	if !strings.Contains(out, "server for "+hello+"\n") || !regexp.MustCompile(`(?m)^removed stale socket .*/s[0-9a-f]+: nobody listened, and no client held its lock$`).MatchString(out) {
		t.Errorf("--status with a running server and a stale socket:\n%s", out)
	}
	if out = l.status(0); strings.Contains(out, "stale") || !strings.Contains(out, "server for "+hello+"\n") {
		t.Errorf("--status after the stale socket was removed:\n%s", out)
	}
}

// checkLogWhere checks the log named by --status: the run directory's log
// file, unless the machine has syslog.
func checkLogWhere(t *testing.T, where string) {
	t.Helper()
	if _, err := os.Stat("/dev/log"); err == nil {
		if !strings.HasPrefix(where, "syslog (facility ") {
			t.Errorf("--status log %q, want syslog (/dev/log exists)", where)
		}
		return
	}
	if !strings.HasSuffix(where, ".log") {
		t.Fatalf("--status log %q is not the run directory's log file", where)
	}
	if _, err := os.Stat(where); err != nil {
		t.Errorf("--status names the log %q: %v", where, err)
	}
}

// TestStatusWhileFull: a server running max_servers calls still answers
// --status, and counts them busy.
func TestStatusWhileFull(t *testing.T) {
	l := newLuapf(t)
	block := script("test/block.lua")
	cmd := l.command(block)
	stdin, _ := cmd.StdinPipe()
	c := l.startCommand(cmd)
	c.expect(t, "waiting", "block.lua")
	_, fields := statusFields(t, l.status(0, block))
	if fields["executors"] != "1 busy, 0 pooled" || fields["calls"] != "0 served, 0 failed" {
		t.Errorf("--status of a full server: %v", fields)
	}
	stdin.Close()
	if res := c.end(); res.Code != 0 || res.Stdout != "read 0\n" {
		t.Errorf("block.lua ended with %+v", res)
	}
	_, fields = statusFields(t, l.status(0, block))
	if fields["calls"] != "1 served, 0 failed" {
		t.Errorf("--status after the call: %v", fields)
	}
}

// TestStatusQueryIsNoCall: a connection that goes away without a request
// is one failed call in the log and the count, and a status query is none.
func TestStatusQueryIsNoCall(t *testing.T) {
	l := newLuapf(t)
	hello := script("hello.lua")
	l.run("", hello)
	_, fields := statusFields(t, l.status(0, hello))
	sock := socketOf(t, l.status(0, hello))
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	conn.Read(buf) // the greeting's start: the call is being served
	conn.Close()
	counted := func() bool {
		_, fields = statusFields(t, l.status(0, hello))
		return fields["calls"] == "1 served, 1 failed"
	}
	if !testutil.Eventually(counted) {
		log, _ := os.ReadFile(fields["log"])
		t.Fatalf("the dropped connection was never counted: --status says %v; the server's log:\n%s", fields, log)
	}
	if lines := logLines(t, fields["log"], "failed: "); len(lines) != 1 || !strings.Contains(lines[0], "connection dropped before its request was read") {
		t.Errorf("log lines of failed calls: %q", lines)
	}
}

// socketOf returns the socket named in --status output.
func socketOf(t *testing.T, out string) string {
	t.Helper()
	_, fields := statusFields(t, out)
	return fields["socket"]
}

// logLines returns the lines of the server log at where that contain
// substr; where must be a log file (the machine has no syslog).
func logLines(t *testing.T, where, substr string) []string {
	t.Helper()
	checkLogWhere(t, where)
	data, err := os.ReadFile(where)
	if err != nil {
		t.Fatalf("read the server log: %v (syslog machines keep it elsewhere)", err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// TestLogLuapfFailure: a call luapf cannot run (a request that names no
// script) ends with status 127, the reason on the caller's stderr, and the
// same reason in the call's one log line.
func TestLogLuapfFailure(t *testing.T) {
	l := newLuapf(t)
	hello := script("hello.lua")
	l.run("", hello)
	_, fields := statusFields(t, l.status(0, hello))
	conn, err := net.Dial("unix", fields["socket"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	uc := conn.(*net.UnixConn)
	if _, err := preforklib.ReadGreeting(uc); err != nil {
		t.Fatal(err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stderrR.Close()
	devNull, _ := os.Open(os.DevNull)
	defer devNull.Close()
	req := &preforklib.Request{Stdin: devNull, Stdout: devNull, Stderr: stderrW, Env: []string{"A=1"}, Argv: []string{"luapf"}}
	if err := preforklib.WriteRequest(uc, req); err != nil {
		t.Fatal(err)
	}
	stderrW.Close()
	uc.SetReadDeadline(time.Now().Add(testutil.HangDeadline))
	status, err := preforklib.ReadStatus(uc)
	if err != nil || syscall.WaitStatus(status).ExitStatus() != 127 {
		t.Fatalf("status %#x (%v), want exit 127", status, err)
	}
	msg, _ := io.ReadAll(stderrR)
	const reason = `the call names no script (argv ["luapf"])`
	if string(msg) != "luapf: "+reason+"\n" {
		t.Errorf("the caller's stderr got %q", msg)
	}
	if lines := logLines(t, fields["log"], "failed: "); len(lines) != 1 || !strings.HasSuffix(lines[0], "failed: luapf could not run it: "+reason) {
		t.Errorf("log lines of failed calls: %q", lines)
	}
}
