package preforklib

import (
	"fmt"
	"io"
	"syscall"
)

// Signal forwarding, the luapf extension feature FeatureSignals.
//
// Protocol v1 gives the caller's signals no way to the script: the executor
// runs in the server's session, so Ctrl-C, kill and job control reach only
// the client. A luapf server offers FeatureSignals; a client that uses it
// puts the entry "signals=" in its extension block and, from the end of
// that block until it has read the wait status, sends each signal it
// catches as a frame on the call socket:
//
//	frame: one byte, the Linux signal number (SIGINT = 2, ... SIGWINCH = 28)
//
// The server sends each frame's signal to the executor's process group,
// so the script and every process it started get it, as they would from
// the terminal. Only the ForwardedSignals are honoured; any other byte is
// ignored, so that later frame kinds can be told apart. End of file still
// means the client went away (docs/protocol.md, server). A call that did
// not negotiate the feature (the C client, the Perl server) is plain v1:
// the client forwards nothing and the server takes any byte as "gone".
//
// SIGTSTP is job control: the client forwards it, which stops the
// executor's group, and then stops itself with SIGTSTP's default action,
// so the shell sees its job stop; when the shell continues it (fg, bg), the
// client forwards SIGCONT.

// FeatureSignals names signal forwarding in an Offer and an Extension.
const FeatureSignals = "signals"

// ForwardedSignals are the signals a luapf client forwards to the executor
// of a call that negotiated FeatureSignals.
var ForwardedSignals = []syscall.Signal{
	syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT,
	syscall.SIGTSTP,
}

// IsForwarded reports whether sig is one of the ForwardedSignals.
func IsForwarded(sig syscall.Signal) bool {
	for _, s := range ForwardedSignals {
		if s == sig {
			return true
		}
	}
	return false
}

// WriteSignalFrame sends sig as a frame on a call socket.
func WriteSignalFrame(w io.Writer, sig syscall.Signal) error {
	if !IsForwarded(sig) {
		return fmt.Errorf("forward %v: not a signal luapf forwards", sig)
	}
	if _, err := w.Write([]byte{byte(sig)}); err != nil {
		return callError(fmt.Sprintf("forward %v", sig), err)
	}
	return nil
}

// SignalFrames returns the forwarded signals in frames read from a call
// socket, in order, skipping bytes that are not frames of ForwardedSignals.
func SignalFrames(frames []byte) []syscall.Signal {
	var out []syscall.Signal
	for _, b := range frames {
		if sig := syscall.Signal(b); IsForwarded(sig) {
			out = append(out, sig)
		}
	}
	return out
}
