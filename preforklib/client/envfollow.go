package client

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"luapf/preforklib"
	"luapf/preforklib/rundir"
)

// Following a server's environment dependencies (preforklib.FeatureEnv):
// a call whose values differ from those a server's initialisation saw goes
// on to the server whose ident also covers those variables.

// maxEnvHops bounds how many derived servers one call follows before it
// starts a fresh server of its own: each hop adds variables to the ident,
// so the bound is only a guard against a pathological script.
const maxEnvHops = 8

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
	offer, ok := preforklib.ParseOffer(greetingExt)
	if !ok {
		return nil
	}
	params, ok := offer.Params(preforklib.FeatureEnv)
	if !ok {
		return nil
	}
	deps, err := preforklib.ParseEnvDeps(params)
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
func (c *client) envMismatch(deps preforklib.EnvDeps) *envMismatch {
	if deps.Matches(c.env) {
		return nil
	}
	return &envMismatch{names: deps.Names}
}

// connectMatching is connectOrSpawn for a server whose initialisation saw
// this call's environment: it follows each mismatch to the server whose
// ident also covers the variables concerned. --kill stops every server on
// that path, the one this call would use included; under luapf's syntax
// it fails with a *noServerError when none was running (chiark's C client
// exits 0 then, and so does luapf as prefork-interp).
func (c *client) connectMatching() (*callConn, error) {
	first, anyRunning := c.sockPath, false
	for hop := 0; ; hop++ {
		if c.inv.Mode == ModeKill {
			running, next, err := c.killOne()
			anyRunning = anyRunning || running
			switch {
			case err != nil:
				return nil, err
			case next && hop < maxEnvHops:
				continue
			case !anyRunning && c.inv.Syntax == SyntaxLuapf:
				return nil, &noServerError{script: scriptName(c.inv), sockPath: first}
			}
			return nil, nil
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

// killOne removes the server of c's ident. running says a server was
// there; next says the caller should go on to the server this call's
// environment leads to from there. It asks the server with a status query,
// which a luapf server answers even while max_servers calls run, rather
// than waiting for a call's greeting.
func (c *client) killOne() (running, next bool, err error) {
	_, env, queryErr := queryStatus(c.sockPath)
	// Anything but nobody listening is a server: one that does not
	// report its status (the Perl library's), or one that answers oddly.
	running = !errors.Is(queryErr, errNoServer)
	if _, err := c.connectOrSpawn(); err != nil {
		return running, false, err
	}
	m := c.envMismatch(env)
	return running, m != nil && c.follow(m), nil
}

// noServerError says that --kill found no server for the script.
type noServerError struct {
	script, sockPath string
}

func (e *noServerError) Error() string {
	return fmt.Sprintf("no server for %s (socket %s): nobody listens", e.script, e.sockPath)
}

// follow points c at the server for its invocation with -E NAME added for
// each of m's variables that is not covered yet, and reports whether that
// is another server than the current one.
func (c *client) follow(m *envMismatch) bool {
	inv := *c.inv
	inv.IdentItems = slices.Clone(inv.IdentItems)
	for _, name := range m.names {
		covered := slices.ContainsFunc(inv.IdentItems, func(it rundir.IdentItem) bool { return it.Kind == rundir.IdentEnv && it.Text == name })
		if !covered {
			v, set := preforklib.EnvValue(c.env, name)
			inv.IdentItems = append(inv.IdentItems, rundir.IdentItem{Kind: rundir.IdentEnv, Text: name, Value: v, Set: set})
		}
	}
	ident, err := rundir.ChooseIdent(c.runDir, inv.FixedIdent, rundir.IdentSum(c.host, inv.IdentSpec()))
	if err != nil || ident == c.ident {
		return false
	}
	c.inv, c.ident, c.sockPath = &inv, ident, rundir.SocketPath(c.runDir, ident)
	return true
}
