package preforklib

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCallContextEncoding(t *testing.T) {
	for _, tc := range []struct {
		c     CallContext
		value string
	}{
		{CallContext{Umask: 0o22, Limits: map[string]unix.Rlimit{}}, "umask=0022 nice=0"},
		{CallContext{Umask: 0o777, Nice: -20, Limits: map[string]unix.Rlimit{
			"nofile": {Cur: 100, Max: 4096}, "core": {Cur: 0, Max: RlimInfinity}, "as": {Cur: RlimInfinity, Max: RlimInfinity},
		}}, "umask=0777 nice=-20 as=unlimited:unlimited core=0:unlimited nofile=100:4096"},
	} {
		if got := tc.c.Encode(); got != tc.value {
			t.Errorf("%+v encodes as %q, want %q", tc.c, got, tc.value)
		}
		back, err := ParseCallContext(tc.value)
		if err != nil || !reflect.DeepEqual(back, tc.c) {
			t.Errorf("%q parsed as %+v (%v)", tc.value, back, err)
		}
	}
	// Items a newer client may add are ignored.
	if c, err := ParseCallContext("umask=077 nice=5 rtprio=1:2 nofile=10:20"); err != nil || c.Umask != 0o77 || c.Nice != 5 || len(c.Limits) != 1 {
		t.Errorf("with an unknown item: %+v, %v", c, err)
	}
	for _, bad := range []string{
		"", "nice=0", "umask=022", "umask=0999 nice=0", "umask=01000 nice=0", "umask=-1 nice=0", "umask=022 nice=20",
		"umask=022 nice=+1", "umask=022 nice=0 nofile=10", "umask=022 nice=0 nofile=20:10", "umask=022 nice=0 nofile=x:10",
		"umask=022 nice=0 nofile=18446744073709551615:unlimited", "umask=022 umask=022 nice=0", "umask=022  nice=0", "=1 umask=022 nice=0",
	} {
		if _, err := ParseCallContext(bad); !errors.Is(err, ErrBadContext) {
			t.Errorf("%q parsed: %v", bad, err)
		}
	}
}

// FuzzParseCallContext: any entry parses or is refused, and what parses
// encodes to an entry that parses the same.
func FuzzParseCallContext(f *testing.F) {
	f.Add("umask=0022 nice=0 as=unlimited:unlimited core=0:unlimited nofile=1024:4096")
	f.Add("umask=7 nice=-3 stack=8388608:unlimited x=y")
	f.Fuzz(func(t *testing.T, value string) {
		c, err := ParseCallContext(value)
		if err != nil {
			return
		}
		back, err := ParseCallContext(c.Encode())
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("%q parsed as %+v, which came back as %+v (%v)", value, c, back, err)
		}
	})
}

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
		c, err := ParseCallContext(line)
		if err != nil {
			t.Fatalf("soft limit %d: helper printed %q: %v", soft, out, err)
		}
		wantNice := 3 + niceOf(t)
		if c.Umask != 0o27 || c.Nice != min(wantNice, 19) || c.Limits["nofile"] != (unix.Rlimit{Cur: soft, Max: lim.Max}) {
			t.Errorf("soft limit %d: read %q, want umask 0027, nice %d and nofile %d:%d", soft, line, wantNice, soft, lim.Max)
		}
		for _, l := range ContextLimits {
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
	if _, err := ParseCallContext(c.Encode()); err != nil {
		t.Errorf("own context %q does not parse: %v", c.Encode(), err)
	}
	if want := strconv.Itoa(niceOf(t)); !strings.Contains(c.Encode(), " nice="+want+" ") {
		t.Errorf("own context %q lacks nice=%s", c.Encode(), want)
	}
}
