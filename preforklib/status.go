package preforklib

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// The status query, the luapf extension feature FeatureStatus: what a
// server is doing, for `luapf --status`.
//
// A status query is a connection to a server's socket whose client end is
// bound to an abstract address starting with "@" + ClientMark + "/status/"
// (statusAddress), so the server knows it at accept time: it answers at
// once, without waiting for a call slot, even when max_servers calls are
// running. On it:
//
//	server → client   greeting with an Offer (v1 greeting; see extension.go)
//	client → server   the signalling byte SignalStatus, only if the Offer
//	                  has FeatureStatus (otherwise the client just closes)
//	server → client   the reply: u32 length, then "name=value\n" lines,
//	                  laid out like an extension block, then end of file
//
// The reply's names are those of ServerStatus's fields (statusKeys). A
// server that is not luapf's (the Perl library) sends no Offer: the client
// closes without sending anything, which that server takes as a client
// that went away.

// FeatureStatus names the status query in an Offer.
const FeatureStatus = "status"

// SignalStatus is the signalling byte of a status query.
const SignalStatus byte = 2

// statusQueryTimeout bounds a whole status query: a server that does not
// answer within it is reported as not answering, not waited for forever.
const statusQueryTimeout = 10 * time.Second

// statusAddress returns an abstract address marking a connection as a
// luapf client's status query.
func statusAddress() string { return markedAddress("status/") }

// IsStatusQuery reports whether the peer of an accepted connection is a
// luapf client's status query.
func IsStatusQuery(peer net.Addr) bool {
	return peer != nil && strings.HasPrefix(peer.String(), "@"+ClientMark+"/status/")
}

// ServerStatus is a luapf server's answer to a status query.
type ServerStatus struct {
	Pid             int
	Script          string        // absolute path of the script
	Uptime          time.Duration // since the server started
	CallsServed     int64         // calls run to their end, failed ones included
	CallsFailed     int64         // calls that failed (see the server's log)
	ExecutorsBusy   int           // executors running a call now
	ExecutorsPooled int           // executors restored and waiting for a call
	SnapshotBytes   int64         // size of the captured Lua state
	Log             string        // where the server logs: a file or "syslog (...)"
}

// statusKeys are the names of a reply's entries, in ServerStatus's order.
var statusKeys = []string{"pid", "script", "uptime_ms", "calls_served", "calls_failed",
	"executors_busy", "executors_pooled", "snapshot_bytes", "log"}

// WriteStatusReply sends st as the reply to a status query.
func WriteStatusReply(w io.Writer, st ServerStatus) error {
	values := []string{strconv.Itoa(st.Pid), st.Script, strconv.FormatInt(st.Uptime.Milliseconds(), 10),
		strconv.FormatInt(st.CallsServed, 10), strconv.FormatInt(st.CallsFailed, 10),
		strconv.Itoa(st.ExecutorsBusy), strconv.Itoa(st.ExecutorsPooled),
		strconv.FormatInt(st.SnapshotBytes, 10), st.Log}
	e := Extension{}
	for i, k := range statusKeys {
		e[k] = values[i]
	}
	return writeExtension(w, e)
}

// ReadStatusReply reads the reply to a status query. Entries it does not
// know are ignored (a newer server may send more); missing ones are an
// error.
func ReadStatusReply(r io.Reader) (ServerStatus, error) {
	e, err := readExtension(r)
	if err != nil {
		return ServerStatus{}, fmt.Errorf("read status reply: %w", err)
	}
	for _, k := range statusKeys {
		if _, ok := e[k]; !ok {
			return ServerStatus{}, fmt.Errorf("read status reply: %w: no %q", ErrBadExtension, k)
		}
	}
	var bad error
	num := func(k string) int64 {
		n, err := strconv.ParseInt(e[k], 10, 64)
		if err != nil && bad == nil {
			bad = fmt.Errorf("read status reply: %w: %s=%q is not a number", ErrBadExtension, k, e[k])
		}
		return n
	}
	st := ServerStatus{
		Pid: int(num("pid")), Script: e["script"], Uptime: time.Duration(num("uptime_ms")) * time.Millisecond,
		CallsServed: num("calls_served"), CallsFailed: num("calls_failed"),
		ExecutorsBusy: int(num("executors_busy")), ExecutorsPooled: int(num("executors_pooled")),
		SnapshotBytes: num("snapshot_bytes"), Log: e["log"],
	}
	if bad != nil {
		return ServerStatus{}, bad
	}
	return st, nil
}

// Errors of QueryStatus that are answers rather than failures.
var (
	// ErrNoServer means nobody serves the socket.
	ErrNoServer = errors.New("no server")
	// ErrNoStatus means the server does not answer status queries: it is
	// not luapf's Lua server (the Perl library, or an older luapf).
	ErrNoStatus = errors.New("the server does not report its status (it is not a luapf Lua server)")
)

// QueryStatus asks the server at sockPath for its status. It returns an
// error wrapping ErrNoServer when nobody serves the socket and ErrNoStatus
// when the server does not answer status queries.
func QueryStatus(sockPath string) (ServerStatus, error) {
	st, _, err := queryStatus(sockPath)
	return st, err
}

// queryStatus is QueryStatus that also returns the environment the
// server's initialisation read, which its greeting's offer carries
// (FeatureEnv): none from a server that offers none.
func queryStatus(sockPath string) (ServerStatus, EnvDeps, error) {
	st, env := ServerStatus{}, EnvDeps{}
	conn, err := dialUnixAs(sockPath, statusAddress())
	if err != nil {
		return st, env, err
	}
	if conn == nil {
		return st, env, ErrNoServer
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(statusQueryTimeout))
	ext, err := ReadGreeting(conn)
	switch {
	case errors.Is(err, ErrNoGreeting):
		return st, env, fmt.Errorf("%w: the connection closed before the greeting", ErrNoServer)
	case err != nil:
		return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
	}
	offer, ok := ParseOffer(ext)
	if !ok || !offer.Has(FeatureStatus) {
		return st, env, ErrNoStatus
	}
	if _, err := conn.Write([]byte{SignalStatus}); err != nil {
		return st, env, fmt.Errorf("status of %s: %w", sockPath, callError("send status query", err))
	}
	st, err = ReadStatusReply(conn)
	if err != nil {
		return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
	}
	if params, ok := offer.Params(FeatureEnv); ok {
		if env, err = ParseEnvDeps(params); err != nil {
			return st, env, fmt.Errorf("status of %s: %w", sockPath, err)
		}
	}
	return st, env, nil
}
