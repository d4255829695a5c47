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
// records nothing. With an executor waiting in the pool, the server lends
// it the listening socket and the executor accepts the call; with none
// (pool 0), the server accepts and hands the call over.
func TestCallTrace(t *testing.T) {
	// A luapf client builds its request before it connects, and sends it
	// before it reads the greeting (an early request).
	clientEvents := []string{calltrace.ClientStart, calltrace.ClientRequest, calltrace.ClientConnect, calltrace.ClientGreeting, calltrace.ClientStatus, calltrace.ClientExit}
	for _, tc := range []struct {
		name     string
		script   string
		pool     bool
		server   []string // of ServerAccept, ServerGreeting, ServerHanded, ServerReport, ServerStatus
		executor []string
	}{
		{"pool hit", "test/echo.lua", true,
			[]string{calltrace.ServerReport, calltrace.ServerStatus},
			[]string{calltrace.ExecutorAccept, calltrace.ExecutorCall, calltrace.ExecutorScript, calltrace.ExecutorExit, calltrace.ExecutorReported}},
		{"no pool", "test/status.lua", false,
			[]string{calltrace.ServerAccept, calltrace.ServerGreeting, calltrace.ServerHanded, calltrace.ServerReport, calltrace.ServerStatus},
			[]string{calltrace.ExecutorCall, calltrace.ExecutorScript, calltrace.ExecutorExit, calltrace.ExecutorReported}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLuapf(t)
			path := script(tc.script)
			trace := filepath.Join(l.sb.Dir, "trace")
			traced := func(args ...string) (pid int) {
				cmd := l.command(append([]string{path}, args...)...)
				cmd.Env = l.sb.WithEnv(calltrace.EnvVar + "=" + trace)
				if res := testutil.Run(t, cmd, ""); res.Code != 0 {
					t.Fatalf("traced call: %+v", res)
				}
				return cmd.Process.Pid
			}
			traced("0") // starts the server, with LUAPF_TRACE set
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
			if tc.pool {
				// The first call took the executor restored for it; the
				// pool refills after it, and the server lends the new
				// executor its socket.
				testutil.WaitFor(t, "the pool refilled and its executor lent the socket", func() bool {
					return countEvents(events(), "server", calltrace.ServerLent, 0) >= 1
				})
			} else {
				testutil.WaitFor(t, "the first call's executor reaped", func() bool {
					return countEvents(events(), "server", calltrace.ServerReaped, 0) >= 1
				})
			}
			if err := os.Truncate(trace, 0); err != nil {
				t.Fatal(err)
			}
			client := traced("0")
			// The call is done once its executor has been reaped (and the
			// pool, if any, has refilled).
			testutil.WaitFor(t, "the call's executor reaped and the pool refilled", func() bool {
				evs := events()
				return countEvents(evs, "server", calltrace.ServerReaped, 0) >= 1 && (!tc.pool || countEvents(evs, "executor", calltrace.ExecutorRestored, 0) >= 1)
			})
			evs := events()
			executor := 0
			for _, e := range evs {
				if e.Name == calltrace.ExecutorCall {
					executor = e.Pid
				}
			}
			serverSteps := []string{calltrace.ServerAccept, calltrace.ServerGreeting, calltrace.ServerHanded, calltrace.ServerReport, calltrace.ServerStatus}
			for _, want := range []struct {
				role   string
				pid    int
				events []string
				among  []string
			}{
				{"client", client, clientEvents, clientEvents},
				{"server", 0, tc.server, serverSteps},
				{"executor", executor, tc.executor, []string{calltrace.ExecutorAccept, calltrace.ExecutorCall, calltrace.ExecutorScript, calltrace.ExecutorExit, calltrace.ExecutorReported}},
			} {
				var got []string
				for _, e := range evs {
					if e.Role == want.role && (want.pid == 0 || e.Pid == want.pid) && slices.Contains(want.among, e.Name) {
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
			if res := l.run("", path, "0"); res.Code != 0 {
				t.Fatalf("untraced call: %+v", res)
			}
			if n := countEvents(events(), "client", calltrace.ClientStart, 0); n != 0 {
				t.Errorf("an untraced client recorded %d start events", n)
			}
		})
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
