package executor

import (
	"os"
	"strings"

	"luapf/preforklib"
)

// setCallEnv makes env, a request's environment, this process's: what
// os.Clearenv followed by os.Setenv of each entry of env would make, in
// the same order (an entry's first place, its last value), without
// PREFORK_INTERP, which must never reach a script, and without entries
// that are no name=value pair.
//
// Most calls come from the shell the server was started from: env has
// the names of this process's environment, in its order, and differs
// from it in a few values; the names this process has beyond them (those
// reexec.ExecutorEnv adds) come last. Then only the values that differ
// are set, in place, and the extra names unset. Building the whole
// environment anew grows the runtime's map of it from empty and
// allocates every entry again: 0.15 ms of the call's path for a shell's
// 40 variables, measured on a 2-core VM, where this costs a few µs.
func setCallEnv(env []string) {
	want := callEnv(env)
	have := os.Environ()
	if !sameNamesFirst(have, want) {
		os.Clearenv()
		have = nil
	}
	for i, kv := range want {
		if i >= len(have) || have[i] != kv {
			name, value, _ := strings.Cut(kv, "=")
			os.Setenv(name, value)
		}
	}
	if len(have) > len(want) {
		for _, kv := range have[len(want):] {
			name, _, _ := strings.Cut(kv, "=")
			os.Unsetenv(name)
		}
	}
}

// callEnv returns the environment that os.Setenv of each entry of env,
// one after the other on an empty environment, would leave, as
// os.Environ lists it: each name once, in the place of its first entry,
// with its last value; entries os.Setenv refuses (no "=", an empty name,
// a NUL byte) and PREFORK_INTERP left out.
func callEnv(env []string) []string {
	out := make([]string, 0, len(env))
	at := make(map[string]int, len(env))
	for _, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" || name == preforklib.EnvPreforkInterp || strings.IndexByte(kv, 0) >= 0 {
			continue
		}
		if i, seen := at[name]; seen {
			out[i] = kv
			continue
		}
		at[name] = len(out)
		out = append(out, kv)
	}
	return out
}

// sameNamesFirst reports whether have begins with want's names, in want's
// order, and is all name=value pairs: os.Unsetenv and os.Setenv cannot
// reach an entry without "=" that the process started with.
func sameNamesFirst(have, want []string) bool {
	if len(have) < len(want) {
		return false
	}
	for i, kv := range have {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			return false
		}
		if i < len(want) {
			if wname, _, _ := strings.Cut(want[i], "="); name != wname {
				return false
			}
		}
	}
	return true
}
