package preforklib

import (
	"fmt"
	"luapf/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLockExcludes(t *testing.T) {
	checkNoFdLeak(t)
	path := filepath.Join(t.TempDir(), "lx")
	l, err := AcquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want mode 0600", fi, err)
	}
	if _, held, err := TryLock(path); err != nil || !held {
		t.Fatalf("TryLock on a held lock: held %v, %v", held, err)
	}
	got := acquireInBackground(t, path)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	awaitLock(t, got).Release()
}

// TestLockFollowsReplacedFile checks that a waiter whose lock file was
// removed while it waited locks the file that the path names now.
func TestLockFollowsReplacedFile(t *testing.T) {
	checkNoFdLeak(t)
	path := filepath.Join(t.TempDir(), "lx")
	l, err := AcquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	got := acquireInBackground(t, path)
	testutil.WaitFor(t, "the waiter blocks on the old lock file", func() bool { return flockWaiters(t, path) > 0 })
	os.Remove(path)
	l.Release()
	l2 := awaitLock(t, got)
	defer l2.Release()
	if same, err := namesFile(path, l2.f); err != nil || !same {
		t.Errorf("the waiter holds a lock on a file the path no longer names (%v)", err)
	}
	if _, held, err := TryLock(path); err != nil || !held {
		t.Errorf("the lock at the path is not held: held %v, %v", held, err)
	}
}

// acquireInBackground starts AcquireLock(path) in a goroutine.
func acquireInBackground(t *testing.T, path string) <-chan *Lock {
	got := make(chan *Lock, 1)
	go func() {
		l, err := AcquireLock(path)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	return got
}

// awaitLock waits for the lock from acquireInBackground.
func awaitLock(t *testing.T, got <-chan *Lock) *Lock {
	t.Helper()
	select {
	case l := <-got:
		if l == nil {
			t.FailNow()
		}
		return l
	case <-time.After(testutil.HangDeadline):
		t.Fatal("the waiter never got the lock after it was released")
		return nil
	}
}

// flockWaiters counts the processes blocked in flock on the file at path,
// from /proc/locks (blocked requests are the lines with "->").
func flockWaiters(t *testing.T, path string) int {
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
