package server_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"luapf/internal/testutil"
)

// terminal is an interactive bash, with job control, in a tmux session of
// the test's own: keys go in with send-keys, the screen comes back with
// capture-pane.
type terminal struct {
	t    *testing.T
	l    *luapf
	sock string
}

func newTerminal(t *testing.T, l *luapf) *terminal {
	t.Helper()
	testutil.RequirePeer(t, testutil.Tmux)
	term := &terminal{t: t, l: l, sock: filepath.Join(l.sb.Dir, "tmux")}
	// The session's processes carry the sandbox's HOME, so the sandbox
	// kills whatever is left; kill-server ends it properly first.
	t.Cleanup(func() { term.tmux("kill-server") })
	// tmux gives the session its own environment: the prompt is set on
	// the command line.
	cmd := l.sb.Command("tmux", "-S", term.sock, "-f", "/dev/null", "new-session", "-d", "-x", "220", "-y", "50",
		"env PS1='$ ' bash --norc --noprofile -i")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("start tmux: %v\n%s", err, out)
	}
	term.waitFor("the shell's prompt", regexp.MustCompile(`(?m)^\$$`))
	return term
}

func (term *terminal) tmux(args ...string) string {
	cmd := term.l.sb.Command("tmux", append([]string{"-S", term.sock}, args...)...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// typeLine types line and Enter.
func (term *terminal) typeLine(line string) {
	term.tmux("send-keys", "-l", line)
	term.tmux("send-keys", "Enter")
}

// key sends one key, such as C-c.
func (term *terminal) key(k string) { term.tmux("send-keys", k) }

// screen returns what the terminal shows, scrollback included, without
// trailing blank lines.
func (term *terminal) screen() string {
	return strings.TrimRight(term.tmux("capture-pane", "-p", "-S", "-"), "\n")
}

// waitFor waits until the screen matches re and returns the match.
func (term *terminal) waitFor(what string, re *regexp.Regexp) []string {
	term.t.Helper()
	var m []string
	deadline := time.Now().Add(testutil.HangDeadline)
	for m = re.FindStringSubmatch(term.screen()); m == nil; m = re.FindStringSubmatch(term.screen()) {
		if time.Now().After(deadline) {
			term.t.Fatalf("timed out after %v waiting for %s; the screen:\n%s", testutil.HangDeadline, what, term.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m
}

// status waits for the prompt, runs `echo NAME=$?` and returns the status
// of the last command. (Typed before the prompt, the line could go to the
// command still reading the terminal.)
func (term *terminal) status(name string) int {
	term.t.Helper()
	term.waitFor("the prompt after "+name, regexp.MustCompile(`\n\$\z`))
	term.typeLine("echo " + name + "=$?")
	m := term.waitFor("the status of "+name, regexp.MustCompile(`(?m)^`+name+`=(\d+)$`))
	n, _ := strconv.Atoi(m[1])
	return n
}

// procState returns the state letter of process pid ('T' when stopped).
func procState(pid int) byte {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(stat, ')')
	if err != nil || i < 0 || i+2 >= len(stat) {
		return 0
	}
	return stat[i+2]
}

// TestTerminalInterrupt: under tmux, Ctrl-C ends a warm call the way it
// ends the script run directly (luapf --standalone): the shell sees status
// 130, and nothing of the call is left.
func TestTerminalInterrupt(t *testing.T) {
	l := newLuapf(t)
	path := script("test/terminal.lua")
	l.run("", path) // start the server
	term := newTerminal(t, l)
	for _, run := range []struct{ name, command string }{
		{"direct", l.bin + " --standalone " + path + " direct"},
		{"warm", l.bin + " " + path + " warm"},
	} {
		term.typeLine(run.command)
		term.waitFor(run.name+" call to start", regexp.MustCompile(`(?m)^started `+run.name+`$`))
		term.key("C-c")
		if code := term.status(run.name); code != 130 {
			t.Errorf("Ctrl-C on the %s call: the shell saw status %d, want 130; the screen:\n%s", run.name, code, term.screen())
		}
	}
	if !l.sb.WaitNoProcesses("luapf [executor]", testutil.HangDeadline) {
		t.Errorf("the interrupted call's executor is still there: %v", l.executors())
	}
	// The script got the Ctrl-C itself; the client did not just go away.
	_, fields := statusFields(t, l.status(0, path))
	if lines := logLines(t, fields["log"], "failed: "); len(lines) != 1 || !strings.HasSuffix(lines[0], "killed by SIGINT (interrupt), after the caller forwarded SIGINT") {
		t.Errorf("log lines of failed calls: %q", lines)
	}
}

// TestTerminalJobControl: under tmux, Ctrl-Z stops a warm call, client and
// executor, and fg resumes it with its input and output intact.
func TestTerminalJobControl(t *testing.T) {
	l := newLuapf(t)
	path := script("test/terminal.lua")
	l.run("", path)
	term := newTerminal(t, l)
	term.typeLine(l.bin + " " + path + " jobs")
	term.waitFor("the call to start", regexp.MustCompile(`(?m)^started jobs$`))
	executor := l.onlyPid(l.callExecutors(), "executor")
	term.key("C-z")
	term.waitFor("the shell to report the job stopped", regexp.MustCompile(`(?m)^\[1\]\+ +Stopped +`))
	testutil.WaitFor(t, "the executor to stop", func() bool { return procState(executor) == 'T' })
	term.typeLine("fg")
	testutil.WaitFor(t, "the executor to continue", func() bool { return procState(executor) != 'T' })
	term.typeLine("after fg")
	term.waitFor("the script to read the line", regexp.MustCompile(`(?m)^got after fg$`))
	if code := term.status("jobs"); code != 0 {
		t.Errorf("the resumed call ended with status %d", code)
	}
	want := regexp.MustCompile(`(?m)^started jobs\n\^Z\n\[1\]\+ +Stopped +.*\n\$ fg\n.*\nafter fg\ngot after fg\n\$ echo jobs=\$\?\njobs=0$`)
	if screen := term.screen(); !want.MatchString(screen) {
		t.Errorf("the terminal shows:\n%s\nwant a match for %s", screen, want)
	}
}
