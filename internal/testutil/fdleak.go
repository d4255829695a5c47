package testutil

import (
	"os"
	"strings"
	"testing"
)

// CheckNoFdLeak makes the test fail if, after all its other cleanups, the
// process has descriptors open that it did not have when CheckNoFdLeak was
// called. The Go runtime's own (epoll and eventfd, created on first use)
// are not counted.
func CheckNoFdLeak(t testing.TB) {
	t.Helper()
	before := OpenFds(t)
	t.Cleanup(func() {
		for fd, target := range OpenFds(t) {
			if _, ok := before[fd]; !ok {
				t.Errorf("descriptor %s (%s) leaked", fd, target)
			}
		}
	})
}

// OpenFds returns the descriptors this process has open, by number, with
// what each refers to; the Go runtime's own anonymous inodes are left out.
func OpenFds(t testing.TB) map[string]string {
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
