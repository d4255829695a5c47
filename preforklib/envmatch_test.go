package preforklib

import "testing"

// TestEnvMatches: a luapf client's request runs only where the
// initialisation saw the values it has for the variables it read; the
// client checks that on the greeting, and an executor on a request the
// client sent before it could (an early request).
func TestEnvMatches(t *testing.T) {
	seen := func(env ...string) EnvDeps {
		names := []string{"MODE", "TZ"}
		lookup := func(name string) (string, bool) { return EnvValue(env, name) }
		return EnvDeps{Names: names, Digest: EnvDigest(names, lookup)}
	}
	for _, tc := range []struct {
		name string
		env  []string
		deps EnvDeps
		want bool
	}{
		{"nothing read", []string{"MODE=a"}, EnvDeps{}, true},
		{"same values", []string{"MODE=a", "TZ=UTC", "OTHER=1"}, seen("MODE=a", "TZ=UTC"), true},
		{"same, in another order", []string{"TZ=UTC", "MODE=a"}, seen("MODE=a", "TZ=UTC"), true},
		{"other value", []string{"MODE=b", "TZ=UTC"}, seen("MODE=a", "TZ=UTC"), false},
		{"unset where it was set", []string{"TZ=UTC"}, seen("MODE=a", "TZ=UTC"), false},
		{"empty where it was unset", []string{"MODE=", "TZ=UTC"}, seen("TZ=UTC"), false},
		{"unset as it was", []string{"TZ=UTC"}, seen("TZ=UTC"), true},
	} {
		if got := tc.deps.Matches(tc.env); got != tc.want {
			t.Errorf("%s: Matches(%q) = %v, want %v", tc.name, tc.env, got, tc.want)
		}
	}
}
