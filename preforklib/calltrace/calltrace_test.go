package calltrace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecorderOffWithoutEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	r := FromEnv("client")
	if r != nil {
		t.Fatalf("FromEnv with %s empty = %v, want nil", EnvVar, r)
	}
	r.Mark(ClientStart) // a nil Recorder records nothing, and does not panic
	r.MarkDetail(ClientExit, "x")
}

func TestRecorderUnopenableFileIsOff(t *testing.T) {
	t.Setenv(EnvVar, filepath.Join(t.TempDir(), "no", "such", "dir", "trace"))
	if r := FromEnv("client"); r != nil {
		t.Fatalf("FromEnv with an unopenable file = %v, want nil: tracing must never make a call fail", r)
	}
}

func TestRecorderAppendsEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace")
	if err := os.WriteFile(path, []byte("1 2 server accept\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvVar, path)
	before := time.Now()
	r := FromEnv("executor")
	r.Mark(ExecutorStart)
	r.MarkDetail(ExecutorExit, "cpu_us=12 minflt=34")
	after := time.Now()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	events, err := ReadEvents(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("got %d events, want the one already there and two appended: %+v", len(events), events)
	}
	if events[0].Name != ServerAccept {
		t.Errorf("the existing line was not kept: %+v", events[0])
	}
	for i, want := range []struct{ name, detail string }{{ExecutorStart, ""}, {ExecutorExit, "cpu_us=12 minflt=34"}} {
		e := events[i+1]
		if e.Pid != os.Getpid() || e.Role != "executor" || e.Name != want.name || e.Detail != want.detail {
			t.Errorf("event %d = %+v, want pid %d, role executor, %s %q", i+1, e, os.Getpid(), want.name, want.detail)
		}
		if e.Time.Before(before.Truncate(time.Microsecond)) || e.Time.After(after) {
			t.Errorf("event %d at %v, outside [%v, %v]", i+1, e.Time, before, after)
		}
	}
	if cpu, ok := events[2].DetailInt("cpu_us"); !ok || cpu != 12 {
		t.Errorf("DetailInt(cpu_us) = %d, %v; want 12, true", cpu, ok)
	}
	if _, ok := events[2].DetailInt("pid"); ok {
		t.Errorf("DetailInt(pid) found a key that is not there")
	}
}

func TestParseEvent(t *testing.T) {
	for _, tc := range []struct {
		line    string
		want    Event
		wantErr string
	}{
		{line: "1700000000123456789 42 client start", want: Event{Time: time.Unix(0, 1700000000123456789), Pid: 42, Role: "client", Name: "start"}},
		{line: "5 7 server executor pid=9 more words", want: Event{Time: time.Unix(0, 5), Pid: 7, Role: "server", Name: "executor", Detail: "pid=9 more words"}},
		{line: "5 7 server", wantErr: "want TIME PID ROLE EVENT"},
		{line: "x 7 server accept", wantErr: "time"},
		{line: "5 y server accept", wantErr: "pid"},
	} {
		got, err := ParseEvent(tc.line)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseEvent(%q) error = %v, want one mentioning %q", tc.line, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !got.Time.Equal(tc.want.Time) || got.Pid != tc.want.Pid || got.Role != tc.want.Role || got.Name != tc.want.Name || got.Detail != tc.want.Detail {
			t.Errorf("ParseEvent(%q) = %+v, %v; want %+v", tc.line, got, err, tc.want)
		}
	}
}
