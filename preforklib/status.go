package preforklib

import (
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
// (StatusAddress), so the server knows it at accept time: it answers at
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

// StatusAddress returns an abstract address marking a connection as a
// luapf client's status query.
func StatusAddress() string { return markedAddress("status/") }

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

// WriteStatusQuery sends the signalling byte of a status query, after the
// greeting of a server whose Offer has FeatureStatus.
func WriteStatusQuery(w io.Writer) error {
	if _, err := w.Write([]byte{SignalStatus}); err != nil {
		return callError("send status query", err)
	}
	return nil
}

// ReadStatusQuery reads the signalling byte of a status query, after the
// greeting; it fails unless it is SignalStatus.
func ReadStatusQuery(r io.Reader) error {
	var signal [1]byte
	if _, err := io.ReadFull(r, signal[:]); err != nil {
		return callError("read status query", err)
	}
	if signal[0] != SignalStatus {
		return fmt.Errorf("read status query: signalling byte is 0x%02x, not 0x%02x", signal[0], SignalStatus)
	}
	return nil
}

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
