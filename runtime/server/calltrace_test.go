package server_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib/calltrace"
)

// TestCallTrace: with LUAPF_TRACE set, a warm call's client, its server
// (started with it set) and the call's executor record the events of the
// call's stages in order, for luapf-bench trace; a client without it
// records nothing.
func TestCallTrace(t *testing.T) {
	l := newLuapf(t)
	path := script("test/echo.lua")
	trace := filepath.Join(l.sb.Dir, "trace")
	traced := func(args ...string) (pid int) {
		cmd := l.command(append([]string{path}, args...)...)
		cmd.Env = l.sb.WithEnv(calltrace.EnvVar + "=" + trace)
		if res := testutil.Run(t, cmd, ""); res.Code != 0 {
			t.Fatalf("traced call: %+v", res)
		}
		return cmd.Process.Pid
	}
	traced("first") // starts the server, with LUAPF_TRACE set
	events := func() []calltrace.Event {
		f, err := os.Open(trace)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		evs, err := calltrace.ReadEvents(f)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	// The first call took the executor restored for it; the pool refills
	// after it.
	restored := func() int { return countEvents(events(), "executor", calltrace.ExecutorRestored, 0) }
	testutil.WaitFor(t, "the pool refilled", func() bool { return restored() >= 2 })
	if err := os.Truncate(trace, 0); err != nil {
		t.Fatal(err)
	}
	client := traced("second")
	// The call is done once the pool has refilled and the call's executor
	// has been reaped.
	testutil.WaitFor(t, "the pool refilled and the call's executor reaped", func() bool {
		evs := events()
		return countEvents(evs, "executor", calltrace.ExecutorRestored, 0) >= 1 && countEvents(evs, "server", calltrace.ServerReaped, 0) >= 1
	})
	evs := events()
	executor := 0
	for _, e := range evs {
		if e.Name == calltrace.ExecutorCall {
			executor = e.Pid
		}
	}
	for _, want := range []struct {
		role   string
		pid    int
		events []string
	}{
		// A luapf client sends its request before it reads the greeting (an
		// early request).
		{"client", client, []string{calltrace.ClientStart, calltrace.ClientConnect, calltrace.ClientRequest, calltrace.ClientGreeting, calltrace.ClientStatus, calltrace.ClientExit}},
		{"server", 0, []string{calltrace.ServerAccept, calltrace.ServerGreeting, calltrace.ServerHanded, calltrace.ServerReport, calltrace.ServerStatus}},
		{"executor", executor, []string{calltrace.ExecutorCall, calltrace.ExecutorScript, calltrace.ExecutorExit, calltrace.ExecutorReported}},
	} {
		var got []string
		for _, e := range evs {
			if e.Role == want.role && (want.pid == 0 || e.Pid == want.pid) && slices.Contains(want.events, e.Name) {
				got = append(got, e.Name)
			}
		}
		if !slices.Equal(got, want.events) {
			t.Errorf("%s events %v, want %v in that order (all events: %+v)", want.role, got, want.events, evs)
		}
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Pid == evs[i-1].Pid && evs[i].Time.Before(evs[i-1].Time) {
			t.Errorf("process %d's events go back in time: %+v then %+v", evs[i].Pid, evs[i-1], evs[i])
		}
	}
	if e := findEvent(evs, "executor", calltrace.ExecutorExit, executor); e == nil || e.Detail == "" {
		t.Errorf("the executor's exit event carries no resource usage: %+v", e)
	}

	// Without LUAPF_TRACE the client records nothing.
	if err := os.Truncate(trace, 0); err != nil {
		t.Fatal(err)
	}
	if res := l.run("", path, "untraced"); res.Code != 0 {
		t.Fatalf("untraced call: %+v", res)
	}
	if n := countEvents(events(), "client", calltrace.ClientStart, 0); n != 0 {
		t.Errorf("an untraced client recorded %d start events", n)
	}
}

// countEvents counts the events of role named name (of process pid, unless 0).
func countEvents(evs []calltrace.Event, role, name string, pid int) int {
	n := 0
	for _, e := range evs {
		if e.Role == role && e.Name == name && (pid == 0 || e.Pid == pid) {
			n++
		}
	}
	return n
}

func findEvent(evs []calltrace.Event, role, name string, pid int) *calltrace.Event {
	for i := range evs {
		if evs[i].Role == role && evs[i].Name == name && (pid == 0 || evs[i].Pid == pid) {
			return &evs[i]
		}
	}
	return nil
}
