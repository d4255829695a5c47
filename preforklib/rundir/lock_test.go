package rundir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"luapf/internal/testutil"
)

func TestLockExcludes(t *testing.T) {
	testutil.CheckNoFdLeak(t)
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
	testutil.CheckNoFdLeak(t)
	path := filepath.Join(t.TempDir(), "lx")
	l, err := AcquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	got := acquireInBackground(t, path)
	testutil.WaitFor(t, "the waiter blocks on the old lock file", func() bool { return testutil.FlockWaiters(t, path) > 0 })
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
