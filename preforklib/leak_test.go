package preforklib

import (
	"os"
	"strings"
	"testing"
)

// checkNoFdLeak makes the test fail if, after all its other cleanups, the
// process has descriptors open that it did not have when checkNoFdLeak was
// called. The Go runtime's own (epoll and eventfd, created on first use)
// are not counted.
func checkNoFdLeak(t *testing.T) {
	t.Helper()
	before := openFds(t)
	t.Cleanup(func() {
		for fd, target := range openFds(t) {
			if _, ok := before[fd]; !ok {
				t.Errorf("descriptor %s (%s) leaked", fd, target)
			}
		}
	})
}

func openFds(t *testing.T) map[string]string {
	t.Helper()
	des, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, de := range des {
		target, err := os.Readlink("/proc/self/fd/" + de.Name())
		if err != nil || strings.HasPrefix(target, "anon_inode:") {
			continue // the directory's own descriptor, or the runtime's
		}
		out[de.Name()] = target
	}
	return out
}
