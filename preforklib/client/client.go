package client

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
	"luapf/preforklib/reexec"
	"luapf/preforklib/rundir"
)

// Version is luapf's version, printed by --version. Release builds set it
// with -ldflags "-X luapf/preforklib/client.Version=...".
var Version = "0.1.0-dev"

// Runtime is what the client needs from the Lua side. Later fields may be
// added; a zero field means the feature is not available.
type Runtime struct {
	// Standalone runs script with args in this process, without a server
	// (--standalone), and returns its exit status.
	Standalone func(script string, args []string) int
	// Modules names, sorted, the Lua modules implemented in Go that this
	// binary registers (an embedding program's, runtime/host). The server
	// ident covers them, so that programs with different modules never
	// share a server. None for luapf itself.
	Modules []string
}

// Main runs the client: it parses argv (luapf's syntax, or the C
// program's when argv[0] is prefork-interp), connects to the script's
// server or starts one, runs the call and returns the exit status to exit
// with. When the script died of a signal that can be passed on, Main kills
// the process with it instead of returning.
func Main(argv []string, rt Runtime) int {
	trace := calltrace.FromEnv(reexec.RoleClient)
	trace.Mark(calltrace.ClientStart)
	defer trace.Mark(calltrace.ClientExit)
	self, selfErr := os.Executable()
	inv, err := ParseCommandLine(argv, self, os.LookupEnv)
	if err == nil && selfErr != nil && inv.Syntax == SyntaxLuapf && inv.Mode != ModeHelp && inv.Mode != ModeVersion {
		err = fmt.Errorf("find the luapf executable: %w", selfErr)
	}
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	if inv.Syntax == SyntaxLuapf { // the interpreter is this binary
		inv.Modules = rt.Modules
	}
	var fwd *forwarder
	if inv.Mode == ModeCall && inv.Syntax == SyntaxLuapf {
		// Most likely a warm call of a luapf server, which forwards
		// signals: catch them now, before anything of the call happens
		// (forward.go).
		fwd, _ = catchSignals(os.Stderr) // on failure, send tries again and says why
	}
	switch inv.Mode {
	case ModeHelp:
		if _, err := io.WriteString(os.Stdout, Usage(inv.Syntax)); err != nil {
			return preforklib.Fail(os.Stderr, fmt.Errorf("write help: %w", err))
		}
		return 0
	case ModeVersion:
		if _, err := fmt.Fprintf(os.Stdout, "%s %s\n", preforklib.ProgramName, Version); err != nil {
			return preforklib.Fail(os.Stderr, fmt.Errorf("write version: %w", err))
		}
		return 0
	case ModeStandalone:
		if rt.Standalone == nil {
			return preforklib.Fail(os.Stderr, errors.New("--standalone: this luapf was built without a Lua runtime"))
		}
		return rt.Standalone(inv.Script, inv.Args)
	case ModeStatus:
		return statusMain(inv, os.Stdout)
	case ModeKill:
		if inv.All {
			return killAll(os.Stderr)
		}
	}
	c, err := newClient(inv)
	if err != nil {
		if fwd != nil {
			fwd.abandon()
		}
		return runWithoutServer(inv, rt, unavailable(err))
	}
	c.rt, c.trace, c.fwd = rt, trace, fwd
	return c.run()
}

// client is one invocation on its way to a server.
type client struct {
	inv      *Invocation
	runDir   string
	ident    string
	sockPath string
	// greetingExt is the extension data of the server's greeting: empty
	// from a v1 server, an Offer from a luapf server; a client ignores
	// what it does not understand.
	greetingExt []byte

	rt   Runtime             // for running the script without a server (fallback.go)
	host rundir.HostIdentity // for the idents of other servers (envfollow.go)
	env  []string            // the environment the call sends
	// callContext returns the caller's process context (readcontext.go).
	callContext func() (preforklib.CallContext, error)
	trace       *calltrace.Recorder // nil unless LUAPF_TRACE asks
	// fwd catches the caller's signals for the call (forward.go), from
	// the moment the client has connected to a server; nil until then.
	fwd *forwarder
	// sent says connect sent the request before it read the greeting
	// (an early request).
	sent bool
}

func newClient(inv *Invocation) (*client, error) {
	host, err := rundir.ReadHostIdentity(".")
	if err != nil {
		return nil, err
	}
	runDir, err := rundir.RunDir()
	if err != nil {
		return nil, err
	}
	ident, err := rundir.ChooseIdent(runDir, inv.FixedIdent, rundir.IdentSum(host, inv.IdentSpec()))
	if err != nil {
		return nil, err
	}
	c := &client{inv: inv, host: host, env: messageEnv(os.Environ()), runDir: runDir, ident: ident, sockPath: rundir.SocketPath(runDir, ident)}
	if inv.Mode == ModeCall || inv.Mode == ModeFresh {
		c.callContext = callContextReader()
	}
	return c, nil
}

func (c *client) run() int {
	conn, err := c.connectMatching()
	if conn == nil {
		c.abandonSignals() // no call to forward them to
	}
	var setupErr *setupExitError
	switch {
	case errors.As(err, &setupErr):
		return PropagateStatus(setupErr.status, "setup", os.Stderr)
	case errors.As(err, new(*noServerError)):
		preforklib.Say(os.Stderr, "%v", err)
		return ExitNoServer
	case err != nil:
		return runWithoutServer(c.inv, c.rt, err)
	case conn == nil: // --kill
		return 0
	}
	defer conn.Close()
	status, err := c.call(conn)
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	return PropagateStatus(status, "script", os.Stderr)
}

// connectOrSpawn returns a connection to the script's server whose
// greeting has been read, starting a server if there is none (docs/protocol.md,
// client algorithm). For --kill it removes the server's socket and lock
// and returns no connection. A server whose initialisation saw other
// values of the environment is not used: the error is an *envMismatch.
// Failures before setup starts are marked unavailable (fallback.go).
func (c *client) connectOrSpawn() (*callConn, error) {
	if c.inv.Mode == ModeCall {
		if conn, err := c.connect(); conn != nil || err != nil {
			return conn, err
		}
	}
	// Starting a server: its initialisation runs as a cold run would,
	// signals and all.
	c.abandonSignals()
	if err := rundir.Preclean(c.runDir, rundir.MaxServers); err != nil {
		return nil, unavailable(err)
	}
	lock, err := rundir.AcquireLock(rundir.LockPath(c.runDir, c.ident))
	if err != nil {
		return nil, unavailable(err)
	}
	defer lock.Release()
	switch c.inv.Mode {
	case ModeKill:
		return nil, rundir.RemoveServer(c.runDir, c.ident)
	case ModeCall:
		// Someone else may have started it while we waited for the lock.
		if conn, err := c.connect(); conn != nil || err != nil {
			return conn, err
		}
	}
	if err := reexec.CloseOnExecInherited(); err != nil {
		return nil, unavailable(err)
	}
	conn, ext, err := spawnServer(c.inv, c.sockPath)
	var setupErr *setupExitError
	if errors.As(err, &setupErr) {
		// No server: leave nothing of it behind, the lock file included.
		_ = rundir.RemoveServer(c.runDir, c.ident)
	}
	c.greetingExt = ext
	return conn, err
}

// connect connects to the server socket and reads the greeting. It returns
// neither connection nor error when nobody serves the socket.
//
// A luapf client calling a server of its own executable builds its request
// before it connects and sends it first (sendsEarly), then reads the
// greeting while the executor takes the call. Should the greeting show
// that the server's initialisation saw other values of the environment,
// the client hangs up and goes on to another server, as it would have
// without sending: the executor checks the environment too, and never
// runs such a request.
func (c *client) connect() (*callConn, error) {
	early := c.sendsEarly()
	var out *outgoing
	var sendErr error
	if early {
		// Built before connecting and sent the moment the connection is
		// made, the request is there when the executor the server lent
		// its socket has woken up and accepted (runtime/server/lend.go,
		// runtime/executor/hotwait.go): it reads it without waiting for
		// it. Built after connecting, it came while that executor
		// greeted, which then waited for it (0.4 ms more per call,
		// measured A/B on a 2-core VM).
		if out, sendErr = c.buildRequest(preforklib.LuapfOffer, true); out != nil {
			defer out.close()
		}
	}
	c.trace.Mark(calltrace.ClientConnect)
	conn, err := dialUnix(c.sockPath)
	if err != nil || conn == nil {
		return nil, unavailable(err)
	}
	if out != nil {
		sendErr = c.write(conn, out)
	} else if !early && c.inv.Syntax == SyntaxLuapf && c.callContext != nil {
		c.callContext() // while the server prepares its greeting
	}
	ext, err := preforklib.ReadGreeting(conn)
	if err != nil {
		conn.Close()
		c.abandonSignals()
		if errors.Is(err, preforklib.ErrNoGreeting) {
			return nil, nil // nobody serves: the request, if sent, is not read
		}
		return nil, unavailable(fmt.Errorf("server %s: %w", c.sockPath, err))
	}
	if sendErr != nil {
		conn.Close()
		c.abandonSignals()
		return nil, sendErr // as when sending after the greeting fails
	}
	if offer, _ := preforklib.ParseOffer(ext); early && !offer.HasAll(preforklib.LuapfOffer) {
		conn.Close()
		c.abandonSignals()
		return nil, fmt.Errorf("server %s is not one this luapf started (it does not offer %s), yet it serves this luapf's ident; "+
			"luapf --kill %s stops it", c.sockPath, strings.Join(preforklib.LuapfOffer.Features, ", "), c.inv.Script)
	}
	if err := c.checkEnv(ext); err != nil {
		conn.Close()
		c.abandonSignals()
		return nil, err
	}
	c.greetingExt, c.sent = ext, early
	c.trace.Mark(calltrace.ClientGreeting)
	return conn, nil
}

// sendsEarly reports whether the client sends its request before it reads
// the greeting: when it calls, under luapf's syntax, the server of an
// ident that covers this executable (not one fixed with -g), a luapf
// server of this very build, whose offer it knows (preforklib.LuapfOffer).
// That saves the call waiting for the server's greeting.
func (c *client) sendsEarly() bool {
	return c.inv.Syntax == SyntaxLuapf && c.inv.Mode == ModeCall && c.inv.FixedIdent == ""
}

// call sends the request on conn, unless connect has, and waits for the
// script's wait status.
func (c *client) call(conn *callConn) (uint32, error) {
	if !c.sent {
		offer, ok := preforklib.ParseOffer(c.greetingExt)
		if err := c.send(conn, offer, ok); err != nil {
			return 0, err
		}
	}
	if c.fwd != nil {
		if err := c.fwd.relayUntilReadable(conn); err != nil {
			return 0, fmt.Errorf("call %s: %w", c.sockPath, err)
		}
	}
	status, err := preforklib.ReadStatus(conn)
	c.trace.Mark(calltrace.ClientStatus)
	if errors.Is(err, preforklib.ErrPeerGone) {
		return 0, fmt.Errorf("call %s: the server went away before reporting the script's exit status (it was killed, or crashed; the next call starts a new one)", c.sockPath)
	}
	if err != nil {
		return 0, fmt.Errorf("call %s: %w", c.sockPath, err)
	}
	return status, nil
}

// send sends the request on conn to a server that made offer (a luapf
// server; ok false for a v1 server), once the signals it forwards are
// caught.
func (c *client) send(conn *callConn, offer preforklib.Offer, ok bool) error {
	out, err := c.buildRequest(offer, ok)
	if err != nil {
		return err
	}
	defer out.close()
	return c.write(conn, out)
}

// outgoing is a request built for a server's offer, not sent yet.
type outgoing struct {
	req *preforklib.Request
	// packed is req encoded, for a server that offered
	// preforklib.FeaturePacked; nil for any other.
	packed *preforklib.PackedRequest
}

// close closes what buildRequest opened for the request.
func (o *outgoing) close() {
	if o.req.Cwd != nil {
		o.req.Cwd.Close()
	}
}

// buildRequest builds the request for a server that made offer (a luapf
// server; ok false for a v1 server) and catches the signals it forwards.
// The caller closes the result.
func (c *client) buildRequest(offer preforklib.Offer, ok bool) (*outgoing, error) {
	req := &preforklib.Request{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: c.env, Argv: c.inv.Argv()}
	out := &outgoing{req: req}
	if ok {
		req.Ext = c.extension(offer)
		if offer.Has(preforklib.FeatureCwd) {
			cwd, err := preforklib.OpenWorkingDir()
			if err != nil {
				return nil, fmt.Errorf("call %s: %w", c.sockPath, err)
			}
			req.Ext[preforklib.FeatureCwd], req.Cwd = "", cwd
		}
	}
	if _, ok := req.Ext[preforklib.FeatureSignals]; ok {
		if c.fwd == nil { // not caught yet (a server this client started), or no longer (another server's environment differed)
			fwd, err := catchSignals(os.Stderr)
			if err != nil {
				out.close()
				return nil, fmt.Errorf("call %s: %w", c.sockPath, err)
			}
			c.fwd = fwd
		}
	} else {
		c.abandonSignals()
	}
	if ok && offer.Has(preforklib.FeaturePacked) {
		packed, err := preforklib.PackRequest(req)
		if err != nil {
			out.close()
			return nil, fmt.Errorf("call %s: %w", c.sockPath, err)
		}
		out.packed = packed
	}
	c.trace.Mark(calltrace.ClientRequest)
	return out, nil
}

// write sends out on conn.
func (c *client) write(conn *callConn, out *outgoing) error {
	var err error
	if out.packed != nil {
		err = out.packed.Send(conn)
	} else {
		err = preforklib.WriteRequest(conn, out.req)
	}
	if err != nil {
		return fmt.Errorf("call %s: %w", c.sockPath, err)
	}
	return nil
}

// abandonSignals undoes catching signals for a call that will not forward
// them (forwarder.abandon).
func (c *client) abandonSignals() {
	if c.fwd != nil {
		c.fwd.abandon()
		c.fwd = nil
	}
}

// extension returns the extension block this client sends to a luapf
// server that made offer: the features it uses and their parameters.
func (c *client) extension(offer preforklib.Offer) preforklib.Extension {
	e := preforklib.Extension{}
	if offer.Has(preforklib.FeatureSignals) {
		e[preforklib.FeatureSignals] = ""
	}
	if offer.Has(preforklib.FeatureContext) && c.callContext != nil {
		if ctx, err := c.callContext(); err == nil {
			e[preforklib.FeatureContext] = ctx.Encode()
		}
	}
	return e
}

// messageEnv returns the entries of env that a request can carry: like the
// C client, those with an '=' (and, unlike it can, none with a NUL).
func messageEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.Contains(kv, "=") && !strings.Contains(kv, "\x00") {
			out = append(out, kv)
		}
	}
	return out
}
