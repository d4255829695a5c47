package server_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// TestPoolIdleTimeout: after pool_idle_timeout without a call the pooled
// executor goes, the server stays; the next call is served as before (it
// restores its own executor) and the pool refills, to be let go again.
func TestPoolIdleTimeout(t *testing.T) {
	l := newLuapf(t)
	path := script("test/poolidle.lua")
	for i, arg := range []string{"first", "after the pool was let go", "and again"} {
		if res := l.run("", path, arg); res.Code != 0 || res.Stdout != "served "+arg+"\n" || res.Stderr != "" {
			t.Fatalf("call %d: %+v", i, res)
		}
		testutil.WaitFor(t, "a pooled executor to start", func() bool { return len(l.callExecutors()) > 0 })
		testutil.WaitFor(t, "the pooled executor to be let go", func() bool { return len(l.callExecutors()) == 0 })
		server := l.onlyPid(l.servers(), "server")
		_, fields := statusFields(t, l.status(0, path))
		if fields["executors"] != "0 busy, 0 pooled" || fields["pid"] != strconv.Itoa(server) {
			t.Errorf("--status once the pool was let go: %v", fields)
		}
		// Where the log is a file (no syslog), it says why.
		if log := fields["log"]; strings.HasSuffix(log, ".log") {
			data, _ := os.ReadFile(log)
			if got := strings.Count(string(data), "let 1 pooled executor(s) go after 0.5s without a call"); got != i+1 {
				t.Errorf("the log says %d times that the pool was let go, want %d:\n%s", got, i+1, data)
			}
		}
	}
}
