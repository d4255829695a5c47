package testutil

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// FlockWaiters counts the requests blocked in flock on the file at path,
// from /proc/locks (blocked requests are the lines with "->"): how a test
// sees that a process is waiting for a lock, without timing it.
func FlockWaiters(t testing.TB, path string) int {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	ino := fmt.Sprintf(":%d ", fi.Sys().(*syscall.Stat_t).Ino)
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(locks), "\n") {
		if strings.Contains(line, "->") && strings.Contains(line, "FLOCK") && strings.Contains(line, ino) {
			n++
		}
	}
	return n
}
