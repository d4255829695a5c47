package executor

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// setEnv makes env this process's environment.
func setEnv(env []string) {
	os.Clearenv()
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		os.Setenv(name, value)
	}
}

// clearAndSet is what takeCall did before setCallEnv, and what
// setCallEnv must leave: the environment cleared, then each entry set.
func clearAndSet(env []string) {
	os.Clearenv()
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || name == "PREFORK_INTERP" {
			continue
		}
		os.Setenv(name, value)
	}
}

func TestSetCallEnv(t *testing.T) {
	saved := os.Environ()
	t.Cleanup(func() { setEnv(saved) })
	server := []string{"SHELL=/bin/sh", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf", "GOMAXPROCS=1", "LUAPF_DEFAULT_GOMAXPROCS=2"}
	for _, tc := range []struct {
		name string
		call []string
	}{
		{"the server's shell", []string{"SHELL=/bin/sh", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"other values", []string{"SHELL=/bin/sh", "PWD=/tmp/x", "HOME=/home/u", "LANG=C.UTF-8", "_=./tool"}},
		{"one name fewer", []string{"SHELL=/bin/sh", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"one name more", []string{"SHELL=/bin/sh", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf", "EXTRA=1"}},
		{"another order", []string{"PWD=/srv", "SHELL=/bin/sh", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"the caller's GOMAXPROCS", []string{"SHELL=/bin/sh", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf", "GOMAXPROCS=4"}},
		{"a name twice", []string{"SHELL=/bin/sh", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf", "PWD=/again"}},
		{"PREFORK_INTERP", []string{"SHELL=/bin/sh", "PREFORK_INTERP=v1 x", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"entries os.Setenv refuses", []string{"SHELL=/bin/sh", "NOEQUALS", "=empty", "PWD=/srv", "NUL=a\x00b", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"empty values", []string{"SHELL=", "PWD=/srv", "HOME=/home/u", "LANG=C", "_=/usr/bin/luapf"}},
		{"none", nil},
	} {
		setEnv(server)
		clearAndSet(tc.call)
		want := os.Environ()
		setEnv(server)
		setCallEnv(tc.call)
		if got := os.Environ(); !slices.Equal(got, want) {
			t.Errorf("%s: setCallEnv(%q) left\n%q, want\n%q", tc.name, tc.call, got, want)
		}
	}
}

func TestSameNamesFirst(t *testing.T) {
	for _, tc := range []struct {
		have, want []string
		same       bool
	}{
		{[]string{"A=1", "B=2", "X=9"}, []string{"A=5", "B=2"}, true},
		{[]string{"A=1", "B=2"}, []string{"A=1", "B=2"}, true},
		{[]string{"A=1"}, []string{"A=1", "B=2"}, false},
		{[]string{"B=2", "A=1"}, []string{"A=1", "B=2"}, false},
		{[]string{"A", "B=2"}, []string{"A=1", "B=2"}, false}, // the process started with "A": Setenv cannot replace it
		{[]string{"A=1", "B=2", "Z"}, []string{"A=1", "B=2"}, false},
		{nil, nil, true},
	} {
		if got := sameNamesFirst(tc.have, tc.want); got != tc.same {
			t.Errorf("sameNamesFirst(%q, %q) = %v, want %v", tc.have, tc.want, got, tc.same)
		}
	}
}
