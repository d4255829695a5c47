package preforklib

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestEnvDigest: the digest depends on exactly the values os.getenv would
// give for the names, whatever their order or repetition.
func TestEnvDigest(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		return func(name string) (string, bool) { return EnvValue(kv, name) }
	}
	base := EnvDigest([]string{"A", "B"}, env("A=1", "B=2", "C=3"))
	for _, tc := range []struct {
		what   string
		names  []string
		getenv func(string) (string, bool)
		same   bool
	}{
		{"another variable changed", []string{"A", "B"}, env("A=1", "B=2", "C=4"), true},
		{"names in another order, repeated", []string{"B", "A", "B"}, env("A=1", "B=2"), true},
		{"a value changed", []string{"A", "B"}, env("A=1", "B=3"), false},
		{"a variable unset", []string{"A", "B"}, env("A=1"), false},
		{"another name", []string{"A", "C"}, env("A=1", "C=2"), false},
		{"value moved across the boundary", []string{"A", "B"}, env("A=12", "B="), false},
	} {
		if got := EnvDigest(tc.names, tc.getenv) == base; got != tc.same {
			t.Errorf("%s: same digest %v, want %v", tc.what, got, tc.same)
		}
	}
	// os.getenv gives nil for unset and "" for empty: different values.
	if EnvDigest([]string{"A"}, env()) == EnvDigest([]string{"A"}, env("A=")) {
		t.Errorf("unset and empty give the same digest")
	}
	if d := EnvDigest(nil, env()); len(d) != 64 {
		t.Errorf("digest %q is not 64 hex digits", d)
	}
}

// TestEnvValue: the last entry for a name wins, as for a process started
// with that environment; a prefix of another name does not match.
func TestEnvValue(t *testing.T) {
	env := []string{"A=1", "AB=x", "B=", "A=2"}
	for _, tc := range []struct {
		name  string
		value string
		set   bool
	}{{"A", "2", true}, {"AB", "x", true}, {"B", "", true}, {"C", "", false}} {
		if v, set := EnvValue(env, tc.name); v != tc.value || set != tc.set {
			t.Errorf("%s: got %q %v, want %q %v", tc.name, v, set, tc.value, tc.set)
		}
	}
}

func TestEnvDepsParams(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	for _, d := range []EnvDeps{
		{Digest: digest},
		{Digest: digest, Names: []string{"LUA_PATH", "MODE"}},
		{Digest: digest, Names: []string{"a b", "new\nline", "\xff"}},
	} {
		back, err := ParseEnvDeps(d.Params())
		if err != nil || !reflect.DeepEqual(back, d) {
			t.Errorf("%+v came back as %+v (%v)", d, back, err)
		}
	}
	for _, bad := range []string{
		"", "abc", strings.Repeat("AB", 32), digest + " ", digest + " zz",
		digest + " 4D",    // upper-case hex
		digest + " 42 41", // not sorted
		digest + " 41 41", // repeated
		digest + " 3d",    // "=" can never be set
	} {
		if _, err := ParseEnvDeps(bad); !errors.Is(err, ErrBadEnvDeps) {
			t.Errorf("%q parsed: %v", bad, err)
		}
	}
}

// TestOfferParams: a feature line may carry parameters after a space; Has
// and Params look at the name only.
func TestOfferParams(t *testing.T) {
	o, ok := ParseOffer(Offer{Features: []string{"context", "env 00 41"}}.Encode())
	if !ok {
		t.Fatal("not an offer")
	}
	if p, ok := o.Params("env"); !ok || p != "00 41" {
		t.Errorf("env params %q %v", p, ok)
	}
	if p, ok := o.Params("context"); !ok || p != "" {
		t.Errorf("context params %q %v", p, ok)
	}
	if !o.Has("env") || o.Has("env 00") || o.Has("signals") {
		t.Errorf("Has is wrong for %+v", o)
	}
}

// FuzzParseEnvDeps: any offer line parses or is refused, and what parses
// comes back the same.
func FuzzParseEnvDeps(f *testing.F) {
	f.Add(strings.Repeat("0", 64) + " 4c55415f50415448 4d4f4445")
	f.Add(strings.Repeat("f", 64))
	f.Fuzz(func(t *testing.T, params string) {
		d, err := ParseEnvDeps(params)
		if err != nil {
			return
		}
		if d.Params() != params {
			t.Fatalf("%q parsed as %+v, which encodes as %q", params, d, d.Params())
		}
	})
}
