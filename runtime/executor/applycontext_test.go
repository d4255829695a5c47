package executor

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
)

// envApplyHelper makes the test binary run TestApplyContextHelper's body:
// applying a context changes the whole process, so it runs in a process of
// its own.
const envApplyHelper = "LUAPF_TEST_APPLY_CONTEXT"

// TestApplyContext: an executor takes the caller's umask, limits and nice
// value (on every thread); a soft limit it cannot reach is clamped to its
// hard limit with one warning. The kernel refuses RLIMIT_NOFILE above
// fs.nr_open even to root, which stands in for an unprivileged executor.
func TestApplyContext(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestApplyContextHelper$")
	cmd.Env = append(os.Environ(), envApplyHelper+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("helper printed %q, want a warning and a result line", out)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	hard := lim.Max
	if want := fmt.Sprintf("luapf: warning: the caller's soft nofile limit %d is above the server's hard limit %d; running with %d", nrOpen(t)+1, hard, hard); !strings.HasPrefix(lines[0], want) {
		t.Errorf("warning %q, want it to start %q", lines[0], want)
	}
	if want := fmt.Sprintf("umask=0037 nofile=%d:%d core=0:7 niced threads: all", hard, hard); lines[1] != want {
		t.Errorf("helper's context %q, want %q", lines[1], want)
	}
}

func nrOpen(t testing.TB) uint64 {
	b, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestApplyContextHelper applies a context and prints the warnings and what
// the process then has; run directly, it only checks it is a helper.
func TestApplyContextHelper(t *testing.T) {
	if os.Getenv(envApplyHelper) == "" {
		t.Skip("helper of TestApplyContext")
	}
	n := nrOpen(t) + 1
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	nice := min(20-prio+3, 19) // lowering the priority needs no privilege
	var warn bytes.Buffer
	applyCallContext(preforklib.CallContext{Umask: 0o37, Nice: nice, Limits: map[string]unix.Rlimit{
		"nofile": {Cur: n, Max: n}, "core": {Cur: 0, Max: 7},
	}}, &warn)
	os.Stdout.Write(warn.Bytes())
	var nofile, core unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile)
	unix.Getrlimit(unix.RLIMIT_CORE, &core)
	mask := unix.Umask(0)
	niced := 0
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		if prio, err := unix.Getpriority(unix.PRIO_PROCESS, tid); err == nil && 20-prio == nice {
			niced++
		}
	}
	threads := "all"
	if niced != len(tasks) {
		threads = fmt.Sprintf("%d of %d", niced, len(tasks))
	}
	fmt.Printf("umask=%04o nofile=%d:%d core=%d:%d niced threads: %s\n", mask, nofile.Cur, nofile.Max, core.Cur, core.Max, threads)
	os.Exit(0)
}
