package preforklib

import (
	"errors"
	"io"
	"syscall"
)

// Errors that callers test for with errors.Is. Every other error of this
// package is a wrapped description of what failed, on what and why; the
// programs print them with Say.
var (
	// ErrNoGreeting means the peer closed a call socket before it had sent
	// the whole greeting magic. A client treats it like a refused
	// connection: there is no usable server behind that socket.
	ErrNoGreeting = errors.New("the connection closed before the server's greeting")

	// ErrPeerGone means the other end of a call socket went away (end of
	// file, connection reset or broken pipe) in the middle of the exchange.
	// For a server this is not an error: the client quit.
	ErrPeerGone = errors.New("the other end of the call socket went away")

	// ErrBadExtension is wrapped by errors about a malformed extension
	// block, or a status reply (laid out like one).
	ErrBadExtension = errors.New("malformed luapf extension block")

	// ErrBadEnvDeps is wrapped by errors about a malformed FeatureEnv
	// offer.
	ErrBadEnvDeps = errors.New("malformed environment dependencies in the server's offer")

	// ErrBadContext is wrapped by errors about a malformed FeatureContext
	// entry.
	ErrBadContext = errors.New("malformed caller context")
)

// isPeerGone reports whether err, from a read or write on a call socket,
// means that the other end went away.
func isPeerGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
