package client

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
)

// envContextHelper makes the test binary print its ReadCallContext (see
// TestContextHelper).
const envContextHelper = "LUAPF_TEST_CONTEXT_HELPER"

// TestReadCallContext starts the test binary from a shell that set a
// umask, a nice value and soft RLIMIT_NOFILE, and checks that it reads them
// as they were when it started: the soft limit below hard-1 (which the Go
// runtime raises at start, so the probe finds it), at hard-1 (which Go
// leaves, but which looks raised) and at hard.
func TestReadCallContext(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 100 {
		t.Fatalf("hard RLIMIT_NOFILE %d is too low for this test", lim.Max)
	}
	for _, soft := range []uint64{64, lim.Max - 1, lim.Max} {
		cmd := exec.Command("sh", "-c", fmt.Sprintf(`umask 027 && ulimit -Sn %d && exec nice -n 3 "$0" -test.run='^TestContextHelper$'`, soft), os.Args[0])
		cmd.Env = append(os.Environ(), envContextHelper+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("soft limit %d: helper failed: %v\n%s", soft, err, out)
		}
		line, _, _ := strings.Cut(string(out), "\n")
		c, err := preforklib.ParseCallContext(line)
		if err != nil {
			t.Fatalf("soft limit %d: helper printed %q: %v", soft, out, err)
		}
		wantNice := 3 + niceOf(t)
		if c.Umask != 0o27 || c.Nice != min(wantNice, 19) || c.Limits["nofile"] != (unix.Rlimit{Cur: soft, Max: lim.Max}) {
			t.Errorf("soft limit %d: read %q, want umask 0027, nice %d and nofile %d:%d", soft, line, wantNice, soft, lim.Max)
		}
		for _, l := range preforklib.ContextLimits {
			if _, ok := c.Limits[l.Name]; !ok {
				t.Errorf("soft limit %d: no %s limit in %q", soft, l.Name, line)
			}
		}
	}
}

func niceOf(t *testing.T) int {
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	return 20 - prio
}

// TestContextHelper is the helper process of TestReadCallContext; run
// directly, it checks that reading the context works at all.
func TestContextHelper(t *testing.T) {
	c, err := ReadCallContext()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(envContextHelper) != "" {
		fmt.Println(c.Encode())
		os.Exit(0)
	}
	if _, err := preforklib.ParseCallContext(c.Encode()); err != nil {
		t.Errorf("own context %q does not parse: %v", c.Encode(), err)
	}
	if want := strconv.Itoa(niceOf(t)); !strings.Contains(c.Encode(), " nice="+want+" ") {
		t.Errorf("own context %q lacks nice=%s", c.Encode(), want)
	}
}
