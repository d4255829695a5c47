package preforklib

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// The control socket between a luapf server and one of its executors, a
// socket pair of luapf's own (not part of protocol v1). Once it has sent
// a call's greeting, the server hands the executor the call's connection
// itself, and the executor reads the request from the client directly:
// the request does not go through the server. The executor says whether
// it got one, and just before it exits, reports its exit code, then sends
// the client the call's wait status itself:
//
//	server → executor   the call: one byte, CallV1 or CallLuapf (the
//	                    client was offered luapf's extensions), carrying
//	                    the connection (SCM_RIGHTS)
//	executor → server   taken: 't', then the request's extension block
//	                    (u32 length and body; length 0 for a v1 request),
//	                    carrying the caller's stderr (SCM_RIGHTS), in one
//	                    message; or no request: 'g' (the client went away
//	                    first) or 'b' (what it sent is not a request), then
//	                    u32 length and why; the executor then waits for
//	                    another call, as it was
//	executor → server   after taken, its exit report: u32 exit code, and
//	                    after ExitLuapfError only, u32 length, then that
//	                    many bytes saying why luapf could not run the call
//
// An executor that ends without a report (killed by a signal, crashed)
// leaves the server only its wait status, and the server sends the client
// the status.

// MaxFailureReport limits the message of a failure report.
const MaxFailureReport = 4096

// WriteExitReport sends the exit code of a call.
func WriteExitReport(w io.Writer, code int) error {
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, uint32(code)))
	return err
}

// WriteFailureReport sends the exit report of a call that luapf could not
// run: ExitLuapfError and msg, cut to MaxFailureReport bytes.
func WriteFailureReport(w io.Writer, msg string) error {
	if len(msg) > MaxFailureReport {
		msg = msg[:MaxFailureReport]
	}
	report := binary.BigEndian.AppendUint32(nil, ExitLuapfError)
	report = binary.BigEndian.AppendUint32(report, uint32(len(msg)))
	_, err := w.Write(append(report, msg...))
	return err
}

// ReadExitReport reads an executor's exit report; ok is false when the
// executor ended without one. failure is the message of a failure report,
// "" when there is none (after a script's own os.exit(127)).
func ReadExitReport(r io.Reader) (code int, failure string, ok bool) {
	var report [4]byte
	if _, err := io.ReadFull(r, report[:]); err != nil {
		return 0, "", false
	}
	code = int(binary.BigEndian.Uint32(report[:]))
	if code == ExitLuapfError {
		failure = readFailureMessage(r)
	}
	return code, failure, true
}

// readFailureMessage reads the message of a failure report after its exit
// code; "" when there is none.
func readFailureMessage(r io.Reader) string {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return ""
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxFailureReport {
		return ""
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		return ""
	}
	return string(msg)
}

// The kinds of a call handed to an executor (WriteCall).
const (
	CallV1    byte = 'v' // a plain protocol v1 client
	CallLuapf byte = 'l' // a luapf client: the greeting made an Offer
)

// Kinds of an executor's answer to a call (WriteTaken, WriteNoRequest).
const (
	answerTaken      byte = 't'
	answerClientGone byte = 'g'
	answerBadRequest byte = 'b'
)

// WriteCall hands the call on conn to the executor at the other end of
// control. luapfClient says the client was offered luapf's extensions.
func WriteCall(control, conn *net.UnixConn, luapfClient bool) error {
	kind := CallV1
	if luapfClient {
		kind = CallLuapf
	}
	fd, err := connFd(conn)
	if err != nil {
		return fmt.Errorf("hand over the call: %w", err)
	}
	_, _, err = control.WriteMsgUnix([]byte{kind}, unix.UnixRights(fd), nil)
	if err != nil {
		return callError("hand over the call", err)
	}
	return nil
}

// ReadCall receives a call's connection from the server. End of file, the
// server letting a pooled executor go, wraps ErrPeerGone.
func ReadCall(control *net.UnixConn) (conn *net.UnixConn, luapfClient bool, err error) {
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, _, _, err := control.ReadMsgUnix(b[:], oob)
	fds, parseErr := parseRights(oob[:oobn])
	switch {
	case err != nil || n == 0:
		closeFds(fds)
		if err == nil {
			err = io.EOF
		}
		return nil, false, callError("receive a call", err)
	case parseErr != nil || len(fds) != 1 || (b[0] != CallV1 && b[0] != CallLuapf):
		closeFds(fds)
		return nil, false, fmt.Errorf("receive a call: a message of kind %q with %d descriptors (%v) is not a call", b[0], len(fds), parseErr)
	}
	f := os.NewFile(uintptr(fds[0]), "the call's connection")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, false, fmt.Errorf("receive a call: %w", err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, false, fmt.Errorf("receive a call: the connection is a %T, not a Unix socket", c)
	}
	return uc, b[0] == CallLuapf, nil
}

// WriteTaken tells the server that the executor took the call whose
// request it read: its extension block (nil for v1) and the caller's
// stderr, where the server reports what the executor cannot (a crash).
func WriteTaken(control *net.UnixConn, ext Extension, stderr *os.File) error {
	block := []byte{0, 0, 0, 0}
	if ext != nil {
		var err error
		if block, err = ext.encode(); err != nil {
			return err
		}
	}
	fd, err := rawFd(stderr)
	if err != nil {
		return fmt.Errorf("tell the server the call is taken: %w", err)
	}
	_, _, err = control.WriteMsgUnix(append([]byte{answerTaken}, block...), unix.UnixRights(fd), nil)
	if err != nil {
		return callError("tell the server the call is taken", err)
	}
	return nil
}

// WriteNoRequest tells the server that the executor got no request for
// the call it was handed: the client went away first (clientGone), or
// sent something else (why says what). The executor waits for another.
func WriteNoRequest(control *net.UnixConn, clientGone bool, why string) error {
	kind := answerBadRequest
	if clientGone {
		kind = answerClientGone
	}
	if len(why) > MaxFailureReport {
		why = why[:MaxFailureReport]
	}
	msg := binary.BigEndian.AppendUint32([]byte{kind}, uint32(len(why)))
	if _, err := control.Write(append(msg, why...)); err != nil {
		return callError("tell the server there is no request", err)
	}
	return nil
}

// NoRequestError is ReadTaken's error when the executor got no request.
type NoRequestError struct {
	ClientGone bool   // the client went away before its request
	Why        string // the executor's account of what went wrong
}

func (e *NoRequestError) Error() string { return e.Why }

// ReadTaken reads an executor's answer to a call: the request's extension
// block (nil for v1) and the caller's stderr when it took the call; a
// *NoRequestError when it got no request; an error wrapping ErrPeerGone
// when the executor ended without answering.
func ReadTaken(control *net.UnixConn) (Extension, *os.File, error) {
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, _, _, err := control.ReadMsgUnix(b[:], oob)
	fds, parseErr := parseRights(oob[:oobn])
	if err != nil || n == 0 {
		closeFds(fds)
		if err == nil {
			err = io.EOF
		}
		return nil, nil, callError("read the executor's answer", err)
	}
	switch {
	case b[0] == answerTaken && parseErr == nil && len(fds) == 1:
		stderr := os.NewFile(uintptr(fds[0]), "the caller's stderr")
		ext, err := readExtension(control)
		if err != nil {
			stderr.Close()
			return nil, nil, fmt.Errorf("read the executor's answer: %w", err)
		}
		if len(ext) == 0 {
			ext = nil // a v1 request
		}
		return ext, stderr, nil
	case (b[0] == answerClientGone || b[0] == answerBadRequest) && len(fds) == 0:
		why := readFailureMessage(control)
		return nil, nil, &NoRequestError{ClientGone: b[0] == answerClientGone, Why: why}
	}
	closeFds(fds)
	return nil, nil, fmt.Errorf("read the executor's answer: a message of kind %q with %d descriptors is no answer", b[0], len(fds))
}

// connFd returns a connection's descriptor, which stays valid while the
// connection is open.
func connFd(c *net.UnixConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := rc.Control(func(raw uintptr) { fd = int(raw) }); err != nil {
		return -1, err
	}
	return fd, nil
}
