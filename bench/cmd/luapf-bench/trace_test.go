package main

import (
	"testing"
	"time"

	"luapf/preforklib/calltrace"
)

// events builds a trace from (offset in µs, pid, role, event, detail).
func traceEvents(t0 time.Time, rows ...[5]any) []calltrace.Event {
	var evs []calltrace.Event
	for _, r := range rows {
		evs = append(evs, calltrace.Event{Time: t0.Add(time.Duration(r[0].(int)) * time.Microsecond), Pid: r[1].(int), Role: r[2].(string), Name: r[3].(string), Detail: r[4].(string)})
	}
	return evs
}

func TestAnalyseCall(t *testing.T) {
	t0 := time.Unix(1000, 0)
	const client, server, exec, next = 10, 20, 30, 40
	call := [][5]any{
		{1000, client, "client", calltrace.ClientStart, ""},
		{1100, client, "client", calltrace.ClientConnect, ""},
		{1150, server, "server", calltrace.ServerAccept, ""},
		{1200, server, "server", calltrace.ServerGreeting, ""},
		{1250, client, "client", calltrace.ClientGreeting, ""},
		{1300, client, "client", calltrace.ClientRequest, ""},
		{1400, server, "server", calltrace.ServerRequest, ""},
		{1450, server, "server", calltrace.ServerHanded, ""},
		{1460, server, "server", calltrace.ServerExecutor, "pid=40"},
		{1500, exec, "executor", calltrace.ExecutorCall, ""},
		{1550, exec, "executor", calltrace.ExecutorScript, ""},
		{1650, exec, "executor", calltrace.ExecutorExit, "cpu_us=900 minflt=300"},
		{1700, server, "server", calltrace.ServerReport, ""},
		{1750, client, "client", calltrace.ClientStatus, ""},
		{1800, client, "client", calltrace.ClientExit, ""},
		{1900, server, "server", calltrace.ServerReaped, "cpu_us=1000 minflt=310"},
		{2000, next, "executor", calltrace.ExecutorStart, ""},
		{2500, next, "executor", calltrace.ExecutorRestored, ""},
	}
	end := t0.Add(2 * time.Millisecond)
	us := func(n int) time.Duration { return time.Duration(n) * time.Microsecond }

	c, hit := analyseCall(traceEvents(t0, call...), client, t0, end)
	if !hit {
		t.Error("a call served by an executor started before it is a pool hit")
	}
	for _, want := range []struct {
		stage string
		d     time.Duration
	}{
		{traceCheckpoints[0].stage, us(1000)},
		{traceCheckpoints[2].stage, us(150)}, // connect → greeting read
		{traceCheckpoints[4].stage, us(200)}, // request → executor call
		{traceCheckpoints[6].stage, us(100)}, // the script
		{traceExitStage, us(200)},
		{traceServerSteps[1].stage, us(50)}, // connect → the server accepts
	} {
		if got := c.stages[want.stage]; got != want.d {
			t.Errorf("stage %q = %v, want %v", want.stage, got, want.d)
		}
	}
	if c.total != us(2000) || c.refill != us(1460) || c.restored != us(2500) || c.reaped != us(1900) || c.refillPid != next {
		t.Errorf("around the call: %+v", c)
	}
	if c.execCPU != us(1000) || c.execFlt != 310 {
		t.Errorf("the executor's usage from its reaping: cpu %v, faults %d", c.execCPU, c.execFlt)
	}

	// A build without a server-side request event has no such step.
	var noRequest [][5]any
	for _, r := range call {
		if r[2] != "server" || r[3] != calltrace.ServerRequest {
			noRequest = append(noRequest, r)
		}
	}
	c, _ = analyseCall(traceEvents(t0, noRequest...), client, t0, end)
	if _, ok := c.stages[traceServerSteps[3].stage]; ok || c.stages[traceCheckpoints[4].stage] != us(200) {
		t.Errorf("without the server's request event: %v", c.stages)
	}

	// A build that sends its request before it has read the greeting:
	// the request's stage takes no time, the next runs from the greeting.
	var early [][5]any
	for _, r := range call {
		if r[2] == "client" && r[3] == calltrace.ClientRequest {
			r[0] = 1120
		}
		early = append(early, r)
	}
	c, _ = analyseCall(traceEvents(t0, early...), client, t0, end)
	if c.stages[traceCheckpoints[3].stage] != 0 || c.stages[traceCheckpoints[4].stage] != us(250) {
		t.Errorf("with the request before the greeting: %v", c.stages)
	}

	// An executor started during the call restored on its path: a miss.
	miss := append([][5]any{{1420, exec, "executor", calltrace.ExecutorStart, ""}}, call...)
	if _, hit := analyseCall(traceEvents(t0, miss...), client, t0, end); hit {
		t.Error("a call whose executor started after the client is not a pool hit")
	}

	// No executor took a call: no trace.
	if c, _ := analyseCall(traceEvents(t0, call[:5]...), client, t0, end); c.stages != nil {
		t.Errorf("an incomplete call has stages: %+v", c.stages)
	}
}
