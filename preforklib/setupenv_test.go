package preforklib

import (
	"strings"
	"testing"
	"time"
)

func TestParseSetupEnv(t *testing.T) {
	want := SetupEnv{MtimeSec: 1700000000, MtimeNsec: 5, Listen: 3, Call: 4, WatchIn: 5, WatchErr: 6}
	tests := []struct {
		in   string
		want SetupEnv
		err  string
	}{
		{in: "v1,1700000000.000000005 3,4,5,6", want: want},
		{in: "v1,1700000000.000000005,future 3,4,5,6,7 more words\x01", want: want},
		{in: "v1,0.999999999 0,1,2,2147483647", want: SetupEnv{MtimeNsec: 999999999, Listen: 0, Call: 1, WatchIn: 2, WatchErr: 2147483647}},
		{in: "v1,1700000000.000000005 3,4,5,6 other " + ClientMark, want: SetupEnv{MtimeSec: 1700000000, MtimeNsec: 5, Listen: 3, Call: 4, WatchIn: 5, WatchErr: 6, LuapfClient: true}},
		{in: "", err: "want at least 2"},
		{in: "v1,1.000000000", err: "want at least 2"},
		{in: "v2,1.000000000 3,4,5,6", err: `protocol version "v2" is not v1`},
		{in: "v1 3,4,5,6", err: "no timestamp"},
		{in: "v1,1.5 3,4,5,6", err: "exactly 9 digits"},
		{in: "v1,1.0000000001 3,4,5,6", err: "exactly 9 digits"},
		{in: "v1,-1.000000000 3,4,5,6", err: "exactly 9 digits"},
		{in: "v1,1 3,4,5,6", err: "exactly 9 digits"},
		{in: "v1,99999999999999999999.000000000 3,4,5,6", err: "timestamp seconds"},
		{in: "v1,1.000000000 3,4,5", err: "has 3 descriptors"},
		{in: "v1,1.000000000 3,4,x,6", err: `descriptor 3 "x"`},
		{in: "v1,1.000000000 3,4,05,6", err: `descriptor 3 "05"`},
		{in: "v1,1.000000000 3,-4,5,6", err: `descriptor 2 "-4"`},
		{in: "v1,1.000000000 3,4,5,2147483648", err: `descriptor 4`},
		{in: "v1,1.000000000  3,4,5,6", err: "has 1 descriptors"},
	}
	for _, tt := range tests {
		got, err := ParseSetupEnv(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "PREFORK_INTERP") {
				t.Errorf("ParseSetupEnv(%q) = %+v, %v; want an error about PREFORK_INTERP saying %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSetupEnv(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestSetupEnvString(t *testing.T) {
	e := SetupEnv{MtimeSec: 1700000000, MtimeNsec: 12345, Listen: 3, Call: 4, WatchIn: 5, WatchErr: 6}
	if got, want := e.String(), "v1,1700000000.000012345 3,4,5,6"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := e.Mtime(); !got.Equal(time.Unix(1700000000, 12345)) {
		t.Errorf("Mtime() = %v", got)
	}
	e.LuapfClient = true
	if got, want := e.String(), "v1,1700000000.000012345 3,4,5,6 "+ClientMark; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// FuzzParseSetupEnv checks that ParseSetupEnv never panics and that what
// it accepts formats back into a value it parses the same way.
func FuzzParseSetupEnv(f *testing.F) {
	for _, seed := range []string{"v1,1700000000.000000005 3,4,5,6", "v1,1.000000000 3,4,5,6,7 x", "v1,1.5 3,4", "v2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseSetupEnv(s)
		if err != nil {
			return
		}
		again, err := ParseSetupEnv(e.String())
		if err != nil || again != e {
			t.Fatalf("%q parsed as %+v, formatted as %q, parsed again as %+v, %v", s, e, e.String(), again, err)
		}
	})
}
