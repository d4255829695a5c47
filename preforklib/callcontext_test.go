package preforklib

import (
	"errors"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCallContextEncoding(t *testing.T) {
	for _, tc := range []struct {
		c     CallContext
		value string
	}{
		{CallContext{Umask: 0o22, Limits: map[string]unix.Rlimit{}}, "umask=0022 nice=0"},
		{CallContext{Umask: 0o777, Nice: -20, Limits: map[string]unix.Rlimit{
			"nofile": {Cur: 100, Max: 4096}, "core": {Cur: 0, Max: RlimInfinity}, "as": {Cur: RlimInfinity, Max: RlimInfinity},
		}}, "umask=0777 nice=-20 as=unlimited:unlimited core=0:unlimited nofile=100:4096"},
	} {
		if got := tc.c.Encode(); got != tc.value {
			t.Errorf("%+v encodes as %q, want %q", tc.c, got, tc.value)
		}
		back, err := ParseCallContext(tc.value)
		if err != nil || !reflect.DeepEqual(back, tc.c) {
			t.Errorf("%q parsed as %+v (%v)", tc.value, back, err)
		}
	}
	// Items a newer client may add are ignored.
	if c, err := ParseCallContext("umask=077 nice=5 rtprio=1:2 nofile=10:20"); err != nil || c.Umask != 0o77 || c.Nice != 5 || len(c.Limits) != 1 {
		t.Errorf("with an unknown item: %+v, %v", c, err)
	}
	for _, bad := range []string{
		"", "nice=0", "umask=022", "umask=0999 nice=0", "umask=01000 nice=0", "umask=-1 nice=0", "umask=022 nice=20",
		"umask=022 nice=+1", "umask=022 nice=0 nofile=10", "umask=022 nice=0 nofile=20:10", "umask=022 nice=0 nofile=x:10",
		"umask=022 nice=0 nofile=18446744073709551615:unlimited", "umask=022 umask=022 nice=0", "umask=022  nice=0", "=1 umask=022 nice=0",
	} {
		if _, err := ParseCallContext(bad); !errors.Is(err, ErrBadContext) {
			t.Errorf("%q parsed: %v", bad, err)
		}
	}
}

// FuzzParseCallContext: any entry parses or is refused, and what parses
// encodes to an entry that parses the same.
func FuzzParseCallContext(f *testing.F) {
	f.Add("umask=0022 nice=0 as=unlimited:unlimited core=0:unlimited nofile=1024:4096")
	f.Add("umask=7 nice=-3 stack=8388608:unlimited x=y")
	f.Fuzz(func(t *testing.T, value string) {
		c, err := ParseCallContext(value)
		if err != nil {
			return
		}
		back, err := ParseCallContext(c.Encode())
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("%q parsed as %+v, which came back as %+v (%v)", value, c, back, err)
		}
	})
}
