package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"luapf/preforklib"
	"luapf/preforklib/rundir"
)

// luapf --status [SCRIPT]: what the server of SCRIPT is doing, or, with no
// script (and no -g), every server in the run directory. For SCRIPT it
// follows the servers a call from this environment would go to
// (envfollow.go) and reports each. With no script it also removes the
// stale sockets and lock files it finds, and says which (allservers.go).

// ExitNoServer is --status's exit status when no server runs (for SCRIPT,
// or at all). It exits 0 when one does and ExitLuapfError on errors.
const ExitNoServer = 1

// statusMain runs --status for inv, writing the report to out.
func statusMain(inv *Invocation, out io.Writer) int {
	if inv.HasScript || inv.FixedIdent != "" {
		c, err := newClient(inv)
		if err != nil {
			return preforklib.Fail(os.Stderr, err)
		}
		for hop := 0; ; hop++ {
			running, env, err := reportServer(out, c.sockPath, scriptName(inv))
			switch {
			case err != nil:
				return preforklib.Fail(os.Stderr, err)
			case !running:
				return ExitNoServer
			}
			m := c.envMismatch(env)
			if m == nil || hop == maxEnvHops || !c.follow(m) {
				return 0
			}
			fmt.Fprintf(out, "\nthat initialisation read %s with values other than this environment's; a call from here goes on to:\n", strings.Join(m.names, ", "))
		}
	}
	runDir, err := rundir.RunDir()
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	entries, err := rundir.ListServers(runDir)
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	status, shown := ExitNoServer, 0
	for _, e := range entries {
		sockPath := rundir.SocketPath(runDir, e.Ident)
		if e.SocketAtime.IsZero() {
			// A lock without a socket: no server to show; its file
			// goes unless a client holds it.
			if _, err := removeStale(runDir, e.Ident); err != nil {
				preforklib.Say(os.Stderr, "remove the stale lock of %s: %v", sockPath, err)
				status = preforklib.ExitLuapfError
			}
			continue
		}
		if shown > 0 {
			fmt.Fprintln(out)
		}
		shown++
		st, env, queryErr := queryStatus(sockPath)
		if errors.Is(queryErr, errNoServer) {
			removed, err := removeStale(runDir, e.Ident)
			if err != nil {
				preforklib.Say(os.Stderr, "remove the stale socket %s: %v", sockPath, err)
				status = preforklib.ExitLuapfError
			}
			if removed {
				fmt.Fprintf(out, "removed stale socket %s: nobody listened, and no client held its lock\n", sockPath)
				continue
			}
		}
		running, _, err := printServer(out, sockPath, "", st, env, queryErr)
		switch {
		case err != nil:
			preforklib.Say(os.Stderr, "%v", err)
			status = preforklib.ExitLuapfError
		case running && status == ExitNoServer:
			status = 0
		}
	}
	if shown == 0 {
		fmt.Fprintf(out, "no luapf servers in %s\n", runDir)
	}
	return status
}

// reportServer asks the server at sockPath for its status and writes it to
// out; running says a server answered, env is the environment its
// initialisation read. what names the script when the caller knows it.
func reportServer(out io.Writer, sockPath, what string) (running bool, env preforklib.EnvDeps, err error) {
	st, env, err := queryStatus(sockPath)
	return printServer(out, sockPath, what, st, env, err)
}

// printServer writes to out what queryStatus found at sockPath: st, env and
// err are its results. It returns them as reportServer does.
func printServer(out io.Writer, sockPath, what string, st preforklib.ServerStatus, env preforklib.EnvDeps, err error) (running bool, _ preforklib.EnvDeps, _ error) {
	if what == "" {
		what = "socket " + sockPath
	} else {
		what += " (socket " + sockPath + ")"
	}
	switch {
	case errors.Is(err, errNoServer):
		fmt.Fprintf(out, "no server for %s: nobody listens\n", what)
		return false, env, nil
	case errors.Is(err, errNoStatus):
		fmt.Fprintf(out, "server for %s: %v\n", what, err)
		return true, env, nil
	case err != nil:
		return false, env, err
	}
	fmt.Fprintf(out, "server for %s\n", st.Script)
	for _, line := range [][2]string{
		{"socket", sockPath},
		{"pid", fmt.Sprint(st.Pid)},
		{"uptime", st.Uptime.Round(time.Second).String()},
		{"calls", fmt.Sprintf("%d served, %d failed", st.CallsServed, st.CallsFailed)},
		{"executors", fmt.Sprintf("%d busy, %d pooled", st.ExecutorsBusy, st.ExecutorsPooled)},
		{"snapshot", fmt.Sprintf("%d bytes", st.SnapshotBytes)},
		{"log", st.Log},
		{"env", envNames(env.Names)},
	} {
		if line[1] != "" {
			fmt.Fprintf(out, "  %-10s %s\n", line[0], line[1])
		}
	}
	return true, env, nil
}

// envNames lists the variables an initialisation read, quoting a name
// that is not plain printable text.
func envNames(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = n
		if q := strconv.Quote(n); q[1:len(q)-1] != n || strings.ContainsAny(n, " ,") {
			quoted[i] = q
		}
	}
	return strings.Join(quoted, " ")
}

// statusQueryTimeout bounds a whole status query: a server that does not
// answer within it is reported as not answering, not waited for forever.
const statusQueryTimeout = 10 * time.Second

// The client's errors that are answers rather than failures: those of
// queryStatus.
var (
	// errNoServer means nobody serves the socket.
	errNoServer = errors.New("no server")
	// errNoStatus means the server does not answer status queries: it is
	// not luapf's Lua server (the Perl library, or an older luapf).
	errNoStatus = errors.New("the server does not report its status (it is not a luapf Lua server)")
)

// queryStatus asks the server at sockPath for its status, and returns it
// with the environment the server's initialisation read, which its
// greeting's offer carries (preforklib.FeatureEnv): none from a server
// that offers none. The error wraps errNoServer when nobody serves the
// socket and errNoStatus when the server does not answer status queries.
func queryStatus(sockPath string) (preforklib.ServerStatus, preforklib.EnvDeps, error) {
	st, env := preforklib.ServerStatus{}, preforklib.EnvDeps{}
	conn, err := dialStatus(sockPath)
	if err != nil {
		return st, env, err
	}
	if conn == nil {
		return st, env, errNoServer
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(statusQueryTimeout))
	ext, err := preforklib.ReadGreeting(conn)
	switch {
	case errors.Is(err, preforklib.ErrNoGreeting):
		return st, env, fmt.Errorf("%w: the connection closed before the greeting", errNoServer)
	case err != nil:
		return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
	}
	offer, ok := preforklib.ParseOffer(ext)
	if !ok || !offer.Has(preforklib.FeatureStatus) {
		return st, env, errNoStatus
	}
	if err := preforklib.WriteStatusQuery(conn); err != nil {
		return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
	}
	st, err = preforklib.ReadStatusReply(conn)
	if err != nil {
		return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
	}
	if params, ok := offer.Params(preforklib.FeatureEnv); ok {
		if env, err = preforklib.ParseEnvDeps(params); err != nil {
			return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
		}
	}
	return st, env, nil
}
