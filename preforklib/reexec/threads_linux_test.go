package reexec

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestEachThread: EachThread lists what os.ReadDir lists, this goroutine's
// thread among them, with a thread started (locked) for the test.
func TestEachThread(t *testing.T) {
	started := make(chan int)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		started <- unix.Gettid()
		<-release
	}()
	locked := <-started
	defer close(release)
	var got []int
	if err := EachThread(func(tid int) error { got = append(got, tid); return nil }); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, e := range entries {
		tid, _ := strconv.Atoi(e.Name())
		want = append(want, tid)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Contains(got, locked) || !slices.Contains(got, os.Getpid()) {
		t.Errorf("EachThread listed %v, without the locked thread %d or the main thread %d", got, locked, os.Getpid())
	}
	// Threads may start between the two listings; the main and the
	// locked one are in both.
	for _, tid := range []int{locked, os.Getpid()} {
		if !slices.Contains(want, tid) {
			t.Errorf("os.ReadDir listed %v, without thread %d", want, tid)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
		ok   bool
	}{
		{"1234\x00\x00", 1234, true},
		{"7", 7, true},
		{".\x00", 0, false},
		{"..\x00", 0, false},
		{"\x00", 0, false},
		{"12a\x00", 0, false},
		{"1234567890\x00", 0, false}, // no thread id is that long
	} {
		if got, ok := decimal([]byte(tc.name)); got != tc.want || ok != tc.ok {
			t.Errorf("decimal(%q) = %d, %v, want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
