package preforklib

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStatusReplyRoundTrip(t *testing.T) {
	st := ServerStatus{Pid: 42, Script: "/a/b c.lua", Uptime: 90 * time.Second, CallsServed: 7, CallsFailed: 2,
		ExecutorsBusy: 1, ExecutorsPooled: 3, SnapshotBytes: 123456, Log: "syslog (facility daemon)"}
	var buf bytes.Buffer
	if err := WriteStatusReply(&buf, st); err != nil {
		t.Fatal(err)
	}
	back, err := ReadStatusReply(bytes.NewReader(buf.Bytes()))
	if err != nil || !reflect.DeepEqual(back, st) {
		t.Fatalf("%+v came back as %+v (%v)", st, back, err)
	}
	full := string(buf.Bytes()[4:])
	for _, tc := range []struct{ name, body string }{
		{"missing entry", strings.Replace(full, "pid=42\n", "", 1)},
		{"not a number", strings.Replace(full, "pid=42\n", "pid=x\n", 1)},
		{"not name=value", full + "junk\n"},
	} {
		if _, err := ReadStatusReply(bytes.NewReader(block(tc.body))); !errors.Is(err, ErrBadExtension) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if back, err := ReadStatusReply(bytes.NewReader(block(full + "newer=1\n"))); err != nil || !reflect.DeepEqual(back, st) {
		t.Errorf("an unknown entry is not ignored: %+v, %v", back, err)
	}
}

// block lays out body as an extension block.
func block(body string) []byte {
	return append([]byte{0, 0, byte(len(body) >> 8), byte(len(body))}, body...)
}

func TestSignalFrames(t *testing.T) {
	var buf bytes.Buffer
	for _, sig := range ForwardedSignals {
		if err := WriteSignalFrame(&buf, sig); err != nil {
			t.Fatal(err)
		}
	}
	if got := SignalFrames(buf.Bytes()); !reflect.DeepEqual(got, ForwardedSignals) {
		t.Errorf("frames %v read back as %v", buf.Bytes(), got)
	}
	if got := SignalFrames([]byte{0, byte(syscall.SIGKILL), byte(syscall.SIGINT), 255}); !reflect.DeepEqual(got, []syscall.Signal{syscall.SIGINT}) {
		t.Errorf("only SIGINT is a frame of a forwarded signal in 0, KILL, INT, 255; got %v", got)
	}
	if err := WriteSignalFrame(&buf, syscall.SIGKILL); err == nil {
		t.Errorf("SIGKILL written as a frame")
	}
}

func FuzzReadStatusReply(f *testing.F) {
	var buf bytes.Buffer
	WriteStatusReply(&buf, ServerStatus{Pid: 1, Script: "s.lua"})
	f.Add(buf.Bytes())
	f.Add([]byte{0, 0, 0, 3, 'a', '=', '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ReadStatusReply(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What decodes encodes to what decodes to the same.
		var again bytes.Buffer
		if err := WriteStatusReply(&again, st); err != nil {
			if strings.ContainsAny(st.Script+st.Log, "\n") {
				return
			}
			t.Fatalf("%+v does not encode: %v", st, err)
		}
		if back, err := ReadStatusReply(&again); err != nil || back != st {
			t.Fatalf("%+v came back as %+v (%v)", st, back, err)
		}
	})
}

func FuzzSignalFrames(f *testing.F) {
	f.Add([]byte{2, 15, 20, 0, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sig := range SignalFrames(data) {
			if !IsForwarded(sig) {
				t.Fatalf("%v read from frames %v is not forwarded", sig, data)
			}
		}
	})
}
