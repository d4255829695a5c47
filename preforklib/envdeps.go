package preforklib

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
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

// maxEnvHops bounds how many derived servers one call follows before it
// starts a fresh server of its own: each hop adds variables to the ident,
// so the bound is only a guard against a pathological script.
const maxEnvHops = 8

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

// ErrBadEnvDeps is wrapped by errors about a malformed FeatureEnv offer.
var ErrBadEnvDeps = errors.New("malformed environment dependencies in the server's offer")

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
// script sees them through os.getenv: getenv's result, where "" means
// unset (os.getenv gives nil for both). It hashes, for each name in sorted
// order, the name's length (u32, big-endian) and bytes, then 'u' for no
// value or 'v', the value's length and bytes.
func EnvDigest(names []string, getenv func(name string) string) string {
	h := sha256.New()
	field := func(s string) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	for _, name := range slices.Compact(sorted) {
		field(name)
		if v := getenv(name); v == "" {
			h.Write([]byte{'u'})
		} else {
			h.Write([]byte{'v'})
			field(v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// envValue finds name in env ("NAME=value" entries) the way a process
// started with env sees it: the last entry for a name wins, as in os/exec
// and in an executor, which sets the entries in order.
func envValue(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// envMismatch says that the server's initialisation read variables whose
// values differ in this call.
type envMismatch struct {
	names []string
}

func (m *envMismatch) Error() string {
	return fmt.Sprintf("the server's initialisation read %s with other values", strings.Join(m.names, ", "))
}

// checkEnv compares a server's environment dependencies, from its
// greeting's extension data, with this call's environment.
func (c *client) checkEnv(greetingExt []byte) error {
	offer, ok := ParseOffer(greetingExt)
	if !ok {
		return nil
	}
	params, ok := offer.Params(FeatureEnv)
	if !ok {
		return nil
	}
	deps, err := ParseEnvDeps(params)
	if err != nil {
		return unavailable(fmt.Errorf("server %s: %w", c.sockPath, err))
	}
	if m := c.envMismatch(deps); m != nil {
		return m
	}
	return nil
}

// envMismatch returns what differs between a server's environment
// dependencies and this call's environment, or nil.
func (c *client) envMismatch(deps EnvDeps) *envMismatch {
	getenv := func(name string) string { v, _ := envValue(c.env, name); return v }
	if len(deps.Names) == 0 || EnvDigest(deps.Names, getenv) == deps.Digest {
		return nil
	}
	return &envMismatch{names: deps.Names}
}

// connectMatching is connectOrSpawn for a server whose initialisation saw
// this call's environment: it follows each mismatch to the server whose
// ident also covers the variables concerned. --kill stops every server on
// that path, the one this call would use included.
func (c *client) connectMatching() (*net.UnixConn, error) {
	for hop := 0; ; hop++ {
		if c.inv.Mode == ModeKill {
			next, err := c.killOne()
			if err != nil || !next || hop == maxEnvHops {
				return nil, err
			}
			continue
		}
		conn, err := c.connectOrSpawn()
		var m *envMismatch
		if !errors.As(err, &m) {
			return conn, err
		}
		if !c.follow(m) || hop == maxEnvHops {
			// No other ident to go to (-g names the server, or the
			// script keeps reading new variables): replace the server
			// with one initialised in this call's environment.
			c.inv.Mode = ModeFresh
		}
	}
}

// killOne removes the server of c's ident and reports whether the caller
// should go on to the server this call's environment leads to from there.
func (c *client) killOne() (next bool, err error) {
	conn, connErr := c.connect()
	if conn != nil {
		conn.Close()
	}
	if _, err := c.connectOrSpawn(); err != nil {
		return false, err
	}
	var m *envMismatch
	return errors.As(connErr, &m) && c.follow(m), nil
}

// follow points c at the server for its invocation with -E NAME added for
// each of m's variables that is not covered yet, and reports whether that
// is another server than the current one.
func (c *client) follow(m *envMismatch) bool {
	inv := *c.inv
	inv.IdentItems = slices.Clone(inv.IdentItems)
	for _, name := range m.names {
		covered := slices.ContainsFunc(inv.IdentItems, func(it IdentItem) bool { return it.Kind == IdentEnv && it.Text == name })
		if !covered {
			v, set := envValue(c.env, name)
			inv.IdentItems = append(inv.IdentItems, IdentItem{Kind: IdentEnv, Text: name, Value: v, Set: set})
		}
	}
	ident, err := ChooseIdent(c.runDir, inv.FixedIdent, IdentSum(c.host, inv.IdentSpec()))
	if err != nil || ident == c.ident {
		return false
	}
	c.inv, c.ident, c.sockPath = &inv, ident, SocketPath(c.runDir, ident)
	return true
}
