package rundir

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"luapf/internal/testutil"
)

func TestPreclean(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	dir := t.TempDir()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 105
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("id%03d", i)
		s := SocketPath(dir, id)
		os.WriteFile(s, nil, 0o600)
		os.WriteFile(LockPath(dir, id), nil, 0o600)
		// id000 is the least recently used.
		if err := os.Chtimes(s, base.Add(time.Duration(i)*time.Minute), base); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "unrelated"), nil, 0o600)
	// A lock-only entry has no socket: it counts as never used.
	os.WriteFile(LockPath(dir, "orphan"), nil, 0o600)
	// A held lock means a client is starting that server: keep it.
	held, err := AcquireLock(LockPath(dir, "id001"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()

	if err := Preclean(dir, 100); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, err := ListServers(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		left = append(left, e.Ident)
	}
	// 106 entries, 6 over: orphan, id000, id002..id005 go; id001 stays.
	want := []string{"id001"}
	for i := 6; i < n; i++ {
		want = append(want, fmt.Sprintf("id%03d", i))
	}
	if !reflect.DeepEqual(left, want) {
		t.Errorf("left %d servers %v..., want %d %v...", len(left), left[:min(5, len(left))], len(want), want[:5])
	}
	if _, err := os.Stat(filepath.Join(dir, "unrelated")); err != nil {
		t.Errorf("preclean removed an unrelated file: %v", err)
	}
	for _, gone := range []string{"id000", "id005"} {
		if _, err := os.Stat(LockPath(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("lock of %s survived: %v", gone, err)
		}
	}

	// Under the limit nothing goes.
	if err := Preclean(dir, 100); err != nil {
		t.Fatal(err)
	}
	if entries, _ := ListServers(dir); len(entries) != len(want) {
		t.Errorf("a second preclean left %d servers, want %d", len(entries), len(want))
	}
}

func TestListServersMissingDir(t *testing.T) {
	if got, err := ListServers(filepath.Join(t.TempDir(), "none")); err != nil || got != nil {
		t.Errorf("ListServers of a missing directory = %v, %v", got, err)
	}
}
