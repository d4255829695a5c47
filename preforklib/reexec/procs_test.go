package reexec

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestExecutorEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"none", nil, []string{"GOMAXPROCS=1", "LUAPF_DEFAULT_GOMAXPROCS=4"}},
		{"others kept", []string{"A=1", "GOMAXPROCSX=2"}, []string{"A=1", "GOMAXPROCSX=2", "GOMAXPROCS=1", "LUAPF_DEFAULT_GOMAXPROCS=4"}},
		{"the caller's replaced", []string{"GOMAXPROCS=8", "B=2", "LUAPF_DEFAULT_GOMAXPROCS=9"}, []string{"B=2", "GOMAXPROCS=1", "LUAPF_DEFAULT_GOMAXPROCS=4"}},
	} {
		if got := ExecutorEnv(tc.env, 4); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ExecutorEnv(%q, 4) = %q, want %q", tc.name, tc.env, got, tc.want)
		}
	}
}

func TestCallProcs(t *testing.T) {
	for _, tc := range []struct {
		env       string
		defaultPs int
		want      int
	}{
		{"", 2, 2},  // the caller sets none: the runtime's default
		{"3", 2, 3}, // the caller's own
		{"0", 2, 2}, // not positive: the runtime ignores it
		{"-1", 2, 2},
		{"two", 2, 2}, // not a number
		{" 3", 2, 2},  // the runtime does not trim it either
		{"", 0, 0},    // no default passed: the runtime works it out
	} {
		if got := callProcs(tc.env, tc.defaultPs); got != tc.want {
			t.Errorf("callProcs(%q, %d) = %d, want %d", tc.env, tc.defaultPs, got, tc.want)
		}
	}
}

func TestExecutorDefaultProcs(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
	}{{"4", 4}, {"", 0}, {"0", 0}, {"x", 0}} {
		t.Setenv("LUAPF_DEFAULT_GOMAXPROCS", tc.env)
		if got := ExecutorDefaultProcs(); got != tc.want {
			t.Errorf("ExecutorDefaultProcs with %q = %d, want %d", tc.env, got, tc.want)
		}
	}
}

// TestSetCallProcsAfter: the P count changes once the delay has passed,
// and not at all when the timer is stopped first.
func TestSetCallProcsAfter(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
	t.Setenv("GOMAXPROCS", "")

	stopped := SetCallProcsAfter(3, 50*time.Millisecond)
	if !stopped.Stop() {
		t.Fatal("Stop: the timer had fired already")
	}
	time.Sleep(100 * time.Millisecond)
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS = %d after a stopped SetCallProcsAfter, want 1", n)
	}

	SetCallProcsAfter(3, time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for runtime.GOMAXPROCS(0) != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("GOMAXPROCS = %d 10s after SetCallProcsAfter(3, 1ms), want 3", runtime.GOMAXPROCS(0))
		}
		time.Sleep(time.Millisecond)
	}
}
