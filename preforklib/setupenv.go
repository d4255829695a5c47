package preforklib

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EnvPreforkInterp names the environment variable through which a client
// hands a new server its sockets (docs/protocol.md, PREFORK_INTERP). Its
// presence is what makes an interpreter run as setup.
const EnvPreforkInterp = "PREFORK_INTERP"

// SetupEnv is the value of PREFORK_INTERP:
//
//	v1,SECS.NSECS LISTEN,CALL,WATCHI,WATCHE
//
// The client writes it for the setup process it starts; the setup process
// parses it to find the descriptors it inherited. More space-separated
// words and more comma-separated items may follow; a parser ignores them.
type SetupEnv struct {
	// MtimeSec and MtimeNsec are the modification time of the freshly
	// bound socket: a server quits instead of accepting a call once one
	// of its files is newer than this (autoreload).
	MtimeSec  int64
	MtimeNsec int64

	// Listen is the listening socket (non-blocking).
	Listen int
	// Call is the server end of the socket pair that carries the client's
	// own, initial call (blocking).
	Call int
	// WatchIn is the write end of the watcher's stdin pipe. It is only a
	// sentinel: when the server (and everything it forked that kept the
	// descriptor) has exited, the watcher sees end of file and quits.
	WatchIn int
	// WatchErr is the read end of the watcher's stderr pipe (non-blocking).
	// End of file means the watcher exited because the socket was removed
	// or replaced: the server quits. Data is an error message from the
	// watcher: the server logs it and quits.
	WatchErr int

	// LuapfClient says the client that starts the server is a luapf
	// client, which may be offered extensions on the initial call
	// (extension.go). It is the extra word ClientMark.
	LuapfClient bool
}

// FeatureEnded, in an Offer that setup sends on the initial call in place
// of a server's greeting, says that the script ended without calling
// initialisation_complete: there is no server, and setup's exit status is
// the script's. Setup sends it only to a luapf client (LuapfClient), which
// then ends as a cold run of the script would; other clients see the end
// of file v1 gives them.
const FeatureEnded = "ended"

// Mtime returns the reference time for autoreload.
func (e SetupEnv) Mtime() time.Time { return time.Unix(e.MtimeSec, e.MtimeNsec) }

// String formats e as the value of PREFORK_INTERP.
func (e SetupEnv) String() string {
	s := fmt.Sprintf("v1,%d.%09d %d,%d,%d,%d", e.MtimeSec, e.MtimeNsec, e.Listen, e.Call, e.WatchIn, e.WatchErr)
	if e.LuapfClient {
		s += " " + ClientMark
	}
	return s
}

// ParseSetupEnv parses a value of PREFORK_INTERP. It accepts protocol v1
// only, and the timestamp only with exactly nine digits of nanoseconds.
func ParseSetupEnv(s string) (SetupEnv, error) {
	var e SetupEnv
	fail := func(format string, args ...any) (SetupEnv, error) {
		return SetupEnv{}, fmt.Errorf("parse %s %q: %s", EnvPreforkInterp, s, fmt.Sprintf(format, args...))
	}
	words := strings.Split(s, " ")
	if len(words) < 2 {
		return fail("it has %d space-separated words, want at least 2", len(words))
	}
	version := strings.Split(words[0], ",")
	if version[0] != "v1" {
		return fail("protocol version %q is not v1: the client and this interpreter are incompatible", version[0])
	}
	if len(version) < 2 {
		return fail("the first word has no timestamp after v1")
	}
	secs, nsecs, ok := strings.Cut(version[1], ".")
	if !ok || !isDecimal(secs) || len(nsecs) != 9 || !isDecimal(nsecs) {
		return fail("timestamp %q is not SECS.NSECS with exactly 9 digits of NSECS", version[1])
	}
	var err error
	if e.MtimeSec, err = strconv.ParseInt(secs, 10, 64); err != nil {
		return fail("timestamp seconds %q: %v", secs, err)
	}
	e.MtimeNsec, _ = strconv.ParseInt(nsecs, 10, 64)

	fds := strings.Split(words[1], ",")
	if len(fds) < 4 {
		return fail("the second word has %d descriptors, want at least 4", len(fds))
	}
	for i, dst := range []*int{&e.Listen, &e.Call, &e.WatchIn, &e.WatchErr} {
		n, err := strconv.ParseInt(fds[i], 10, 32)
		if err != nil || n < 0 || strconv.FormatInt(n, 10) != fds[i] {
			return fail("descriptor %d %q is not a plain decimal number", i+1, fds[i])
		}
		*dst = int(n)
	}
	for _, word := range words[2:] {
		if word == ClientMark {
			e.LuapfClient = true
		}
	}
	return e, nil
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
