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
		// Where the log is a file (no syslog), the server's line saying it
		// let the pool go is the event to wait for: counting executor
		// processes can see none in the moment between the call's
		// executor exiting and the pool's next one starting. (Status
		// queries do not count as calls for pool_idle_timeout.)
		_, fields := statusFields(t, l.status(0, path))
		log := fields["log"]
		const letGo = "let 1 pooled executor(s) go after 0.5s without a call"
		if strings.HasSuffix(log, ".log") {
			testutil.WaitFor(t, "the log to say the pool was let go", func() bool {
				data, _ := os.ReadFile(log)
				return strings.Count(string(data), letGo) > i
			})
		} else {
			testutil.WaitFor(t, "a pooled executor to start", func() bool { return len(l.callExecutors()) > 0 })
		}
		testutil.WaitFor(t, "the pooled executor to be let go", func() bool { return len(l.callExecutors()) == 0 })
		server := l.onlyPid(l.servers(), "server")
		_, fields = statusFields(t, l.status(0, path))
		if fields["executors"] != "0 busy, 0 pooled" || fields["pid"] != strconv.Itoa(server) {
			t.Errorf("--status once the pool was let go: %v", fields)
		}
		if strings.HasSuffix(log, ".log") {
			data, _ := os.ReadFile(log)
			if got := strings.Count(string(data), letGo); got != i+1 {
				t.Errorf("the log says %d times that the pool was let go, want %d:\n%s", got, i+1, data)
			}
		}
	}
}
