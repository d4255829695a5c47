package preforklib

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Environment dependencies: a warm call must see what a cold run would,
// and a cold run's initialisation reads the caller's environment. A luapf
// server records every variable its initialisation read with os.getenv,
// and offers them to luapf clients in the greeting as the feature
// FeatureEnv:
//
//	env DIGEST NAME...
//
// DIGEST is EnvDigest of the values the initialisation saw, in lower-case
// hex; each NAME is a variable's name in lower-case hex (names are
// arbitrary bytes), sorted and distinct. A client whose own values give a
// different digest does not call that server: it hangs up after the
// greeting and goes to the server whose ident also covers those
// variables, exactly as if it had been given -E NAME for each, connecting
// to it or starting it (and so running the initialisation with its own
// values). Callers that differ only in other variables share a server.
//
// Chiark's C client gets no offer (extension.go), so it is served whatever
// its values are: protocol v1 behaviour. With it, name the variables with
// -E to get a server per value.

// FeatureEnv is the offer feature that carries a server's environment
// dependencies.
const FeatureEnv = "env"

// EnvDeps are the environment variables a server's initialisation read and
// a digest of the values it saw.
type EnvDeps struct {
	Names  []string // sorted, distinct
	Digest string   // EnvDigest of the values, hex
}

// Params returns the parameters of the FeatureEnv offer line.
func (d EnvDeps) Params() string {
	var b strings.Builder
	b.WriteString(d.Digest)
	for _, name := range d.Names {
		b.WriteByte(' ')
		b.WriteString(hex.EncodeToString([]byte(name)))
	}
	return b.String()
}

// ParseEnvDeps parses the parameters of a FeatureEnv offer line.
func ParseEnvDeps(params string) (EnvDeps, error) {
	fields := strings.Split(params, " ")
	digest := fields[0]
	if len(digest) != 2*sha256.Size || !isLowerHex(digest) {
		return EnvDeps{}, fmt.Errorf("%w: digest %q is not %d lower-case hex digits", ErrBadEnvDeps, digest, 2*sha256.Size)
	}
	d := EnvDeps{Digest: digest}
	for _, field := range fields[1:] {
		name, err := hex.DecodeString(field)
		if err != nil || !isLowerHex(field) || !ValidEnvName(string(name)) {
			return EnvDeps{}, fmt.Errorf("%w: %q is not a variable name in lower-case hex", ErrBadEnvDeps, field)
		}
		if n := len(d.Names); n > 0 && d.Names[n-1] >= string(name) {
			return EnvDeps{}, fmt.Errorf("%w: names are not sorted and distinct", ErrBadEnvDeps)
		}
		d.Names = append(d.Names, string(name))
	}
	return d, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// ValidEnvName reports whether name can be set in an environment at all:
// not empty, no '=' and no NUL. Reading any other name gives nothing
// whatever the environment, so it is no dependency.
func ValidEnvName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "=\x00")
}

// EnvDigest returns the hex SHA-256 of the values that names have, as the
// script sees them through os.getenv: lookup gives a name's value and
// whether it is set at all, since os.getenv tells an empty variable ("")
// from an unset one (nil), as Lua 5.1 does. It hashes, for each name in
// sorted order, the name's length (u32, big-endian) and bytes, then 'u' for
// no value or 'v', the value's length and bytes.
func EnvDigest(names []string, lookup func(name string) (string, bool)) string {
	h := sha256.New()
	field := func(s string) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	for _, name := range slices.Compact(sorted) {
		field(name)
		if v, ok := lookup(name); !ok {
			h.Write([]byte{'u'})
		} else {
			h.Write([]byte{'v'})
			field(v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Matches reports whether env ("NAME=value" entries, as a request carries
// them) gives d's variables the values the initialisation saw: the check a
// luapf client makes on the greeting, and an executor on an early request.
func (d EnvDeps) Matches(env []string) bool {
	lookup := func(name string) (string, bool) { return EnvValue(env, name) }
	return len(d.Names) == 0 || EnvDigest(d.Names, lookup) == d.Digest
}

// EnvValue finds name in env ("NAME=value" entries) the way a process
// started with env sees it: the last entry for a name wins, as in os/exec
// and in an executor, which sets the entries in order.
func EnvValue(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}
