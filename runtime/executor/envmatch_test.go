package executor

import (
	"testing"

	"luapf/preforklib"
)

// TestEnvMatches: a luapf client's request runs only where the
// initialisation saw the values it has for the variables it read; the
// client sends it before it can check (an early request).
func TestEnvMatches(t *testing.T) {
	seen := func(env ...string) preforklib.EnvDeps {
		names := []string{"MODE", "TZ"}
		lookup := func(name string) (string, bool) { return preforklib.EnvValue(env, name) }
		return preforklib.EnvDeps{Names: names, Digest: preforklib.EnvDigest(names, lookup)}
	}
	for _, tc := range []struct {
		name string
		env  []string
		deps preforklib.EnvDeps
		want bool
	}{
		{"nothing read", []string{"MODE=a"}, preforklib.EnvDeps{}, true},
		{"same values", []string{"MODE=a", "TZ=UTC", "OTHER=1"}, seen("MODE=a", "TZ=UTC"), true},
		{"same, in another order", []string{"TZ=UTC", "MODE=a"}, seen("MODE=a", "TZ=UTC"), true},
		{"other value", []string{"MODE=b", "TZ=UTC"}, seen("MODE=a", "TZ=UTC"), false},
		{"unset where it was set", []string{"TZ=UTC"}, seen("MODE=a", "TZ=UTC"), false},
		{"empty where it was unset", []string{"MODE=", "TZ=UTC"}, seen("TZ=UTC"), false},
		{"unset as it was", []string{"TZ=UTC"}, seen("TZ=UTC"), true},
	} {
		if got := envMatches(tc.env, tc.deps); got != tc.want {
			t.Errorf("%s: envMatches(%q) = %v, want %v", tc.name, tc.env, got, tc.want)
		}
	}
}
