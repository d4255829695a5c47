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
// socket pair of luapf's own (not part of protocol v1). A call reaches a
// pooled executor in one of two ways:
//
//   - The server accepted the connection and sent the greeting; it hands
//     the executor the connection itself (a call order), and the executor
//     reads the request from the client directly: the request does not go
//     through the server.
//   - The server lends the executor its listening socket (an accept
//     order): the executor accepts the next connection and greets it. A
//     luapf client's request is usually there by then (an early request):
//     the executor reads it and only then gives the server a copy of the
//     connection with its answer, so the server is not woken on the
//     call's way in at all. Otherwise it gives the server the connection
//     first (accepted), so that the server accepts again while this
//     client takes its time, and answers for the request as for a call
//     order. A connection the executor should not serve (a status query,
//     another user, a script that changed since setup) goes back to the
//     server untouched, before any greeting. The server takes an accept
//     order back (revoke) when it stops or lets its pool go; the executor
//     answers every revoke, even one that crossed its answer to the order,
//     so that the server knows when the socket is its own again.
//
// The executor says whether it got a request, and just before it exits,
// reports its exit code, then sends the client the call's wait status
// itself:
//
//	server → executor   a call order: one byte, CallV1 or CallLuapf (the
//	                    client was offered luapf's extensions), carrying
//	                    the connection (SCM_RIGHTS)
//	server → executor   an accept order: 'a', then u32 length and the
//	                    offer a luapf client's greeting carries, carrying
//	                    the listening socket
//	server → executor   revoke: 'r', the accept order is taken back
//	executor → server   after an accept order: 'A', accepted and greeted,
//	                    carrying the connection; the answer for its
//	                    request follows, as after a call order; or 'h',
//	                    the connection handed back before its greeting,
//	                    carrying it; or 'e', accepting failed, then u32
//	                    length and why; or 'R', the order revoked (the
//	                    answer to every revoke); after 'h', 'e' and 'R' the
//	                    executor waits for another order
//	executor → server   taken: 't', then the request's extension block
//	                    (u32 length and body; length 0 for a v1 request),
//	                    carrying the caller's stderr (SCM_RIGHTS), in one
//	                    message; after an accept order without 'A', 'T'
//	                    and the same, carrying the caller's stderr and the
//	                    connection; or no request: 'g' (the client went
//	                    away first: only a luapf client's, which goes on
//	                    to another server) or 'b' (anything else), then
//	                    u32 length and why; the executor then waits for
//	                    another order, as it was
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

// The kinds of a call order (WriteCall).
const (
	CallV1    byte = 'v' // a plain protocol v1 client
	CallLuapf byte = 'l' // a luapf client: the greeting made an Offer
)

// The other orders a server gives an executor.
const (
	orderAccept byte = 'a'
	orderRevoke byte = 'r'
)

// Kinds of an executor's answer to an order.
const (
	answerAccepted      byte = 'A'
	answerTaken         byte = 't'
	answerTakenAccepted byte = 'T'
	answerClientGone    byte = 'g'
	answerBadRequest    byte = 'b'
	answerHandBack      byte = 'h'
	answerAcceptFailed  byte = 'e'
	answerRevoked       byte = 'R'
)

// maxOfferLen bounds the offer of an accept order: a greeting carries no
// more.
const maxOfferLen = MaxGreetingData

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

// WriteAcceptOrder lends the executor at the other end of control the
// listening socket l, to accept one connection on it; offer is what the
// greeting of a luapf client carries (Offer.Encode).
func WriteAcceptOrder(control *net.UnixConn, l *net.UnixListener, offer []byte) error {
	if len(offer) > maxOfferLen {
		return fmt.Errorf("lend the listening socket: an offer of %d bytes is more than the limit of %d", len(offer), maxOfferLen)
	}
	rc, err := l.SyscallConn()
	if err != nil {
		return fmt.Errorf("lend the listening socket: %w", err)
	}
	msg := binary.BigEndian.AppendUint32([]byte{orderAccept}, uint32(len(offer)))
	msg = append(msg, offer...)
	var werr error
	if err := rc.Control(func(fd uintptr) {
		_, _, werr = control.WriteMsgUnix(msg, unix.UnixRights(int(fd)), nil)
	}); err != nil {
		return fmt.Errorf("lend the listening socket: %w", err)
	}
	if werr != nil {
		return callError("lend the listening socket", werr)
	}
	return nil
}

// WriteRevoke takes an accept order back.
func WriteRevoke(control *net.UnixConn) error {
	if _, err := control.Write([]byte{orderRevoke}); err != nil {
		return callError("revoke the accept order", err)
	}
	return nil
}

// Order is what a pooled executor is told to do (ReadOrder): serve a
// call, accept one, or stop accepting.
type Order struct {
	// Conn is a call's connection (a call order); the server sent its
	// greeting, and LuapfClient says it offered luapf's extensions.
	Conn        *net.UnixConn
	LuapfClient bool
	// Listener, unless -1, is the server's listening socket (an accept
	// order), for the executor to accept one connection on and close;
	// Offer is what a luapf client's greeting carries. It is a bare
	// descriptor: an *os.File's Fd would make the socket, which the
	// server polls too, blocking.
	Listener int
	Offer    []byte
	// Revoke takes an accept order back (WriteRevoked answers).
	Revoke bool
}

// Close lets go of the order's descriptors, for an executor that does not
// carry it out.
func (o Order) Close() {
	if o.Conn != nil {
		o.Conn.Close()
	}
	if o.Listener >= 0 {
		unix.Close(o.Listener)
	}
}

// ReadOrder receives the executor's next order from the server. End of
// file, the server letting a pooled executor go, wraps ErrPeerGone.
func ReadOrder(control *net.UnixConn) (Order, error) {
	var head [5]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, _, _, err := control.ReadMsgUnix(head[:1], oob)
	fds, parseErr := parseRights(oob[:oobn])
	if err != nil || n == 0 {
		closeFds(fds)
		if err == nil {
			err = io.EOF
		}
		return Order{Listener: -1}, callError("receive an order", err)
	}
	switch kind := head[0]; {
	case (kind == CallV1 || kind == CallLuapf) && parseErr == nil && len(fds) == 1:
		uc, err := UnixConnFromFd(fds[0])
		if err != nil {
			return Order{Listener: -1}, fmt.Errorf("receive a call: %w", err)
		}
		return Order{Conn: uc, LuapfClient: kind == CallLuapf, Listener: -1}, nil
	case kind == orderAccept && parseErr == nil && len(fds) == 1:
		size, err := readU32(control, "accept order offer length")
		if err == nil && size > maxOfferLen {
			err = fmt.Errorf("an offer of %d bytes is more than the limit of %d", size, maxOfferLen)
		}
		offer := make([]byte, size)
		if err == nil {
			_, err = io.ReadFull(control, offer)
		}
		if err != nil {
			closeFds(fds)
			return Order{Listener: -1}, fmt.Errorf("receive an accept order: %w", err)
		}
		return Order{Listener: fds[0], Offer: offer}, nil
	case kind == orderRevoke && len(fds) == 0:
		return Order{Revoke: true, Listener: -1}, nil
	}
	closeFds(fds)
	return Order{Listener: -1}, fmt.Errorf("receive an order: a message of kind %q with %d descriptors (%v) is no order", head[0], len(fds), parseErr)
}

// WriteTaken tells the server that the executor took the call whose
// request it read: its extension block (nil for v1) and the caller's
// stderr, where the server reports what the executor cannot (a crash).
func WriteTaken(control *net.UnixConn, ext Extension, stderr *os.File) error {
	return writeTaken(control, answerTaken, ext, stderr, nil)
}

// WriteAcceptedTaken tells the server that the executor accepted conn and
// took its call, as WriteTaken does, and gives the server conn too, which
// it watches during the call.
func WriteAcceptedTaken(control *net.UnixConn, ext Extension, stderr *os.File, conn *net.UnixConn) error {
	return writeTaken(control, answerTakenAccepted, ext, stderr, conn)
}

// WriteAccepted gives the server conn, which the executor accepted and
// greeted, before it reads the request: the server accepts again
// meanwhile. WriteTaken or WriteNoRequest follows.
func WriteAccepted(control, conn *net.UnixConn) error {
	return writeConn(control, answerAccepted, conn, "give the server the accepted connection")
}

func writeTaken(control *net.UnixConn, kind byte, ext Extension, stderr *os.File, conn *net.UnixConn) error {
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
	fds := []int{fd}
	if conn != nil {
		cfd, err := connFd(conn)
		if err != nil {
			return fmt.Errorf("tell the server the call is taken: %w", err)
		}
		fds = append(fds, cfd)
	}
	_, _, err = control.WriteMsgUnix(append([]byte{kind}, block...), unix.UnixRights(fds...), nil)
	if err != nil {
		return callError("tell the server the call is taken", err)
	}
	return nil
}

// WriteHandBack gives the server a connection the executor accepted and
// should not serve, before anything was written to it.
func WriteHandBack(control, conn *net.UnixConn) error {
	return writeConn(control, answerHandBack, conn, "hand the connection back")
}

// writeConn sends an answer of kind that carries conn alone.
func writeConn(control *net.UnixConn, kind byte, conn *net.UnixConn, what string) error {
	fd, err := connFd(conn)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, _, err := control.WriteMsgUnix([]byte{kind}, unix.UnixRights(fd), nil); err != nil {
		return callError(what, err)
	}
	return nil
}

// WriteRevoked answers a revoke: the executor no longer accepts.
func WriteRevoked(control *net.UnixConn) error {
	if _, err := control.Write([]byte{answerRevoked}); err != nil {
		return callError("answer the revoke", err)
	}
	return nil
}

// WriteNoRequest tells the server that the executor got no request for
// the call it was handed or accepted: the client went away first
// (clientGone), or sent something else (why says what). The executor has
// closed the connection, and waits for another order.
func WriteNoRequest(control *net.UnixConn, clientGone bool, why string) error {
	kind := answerBadRequest
	if clientGone {
		kind = answerClientGone
	}
	return writeWhy(control, kind, why, "tell the server there is no request")
}

// WriteAcceptFailed tells the server that accepting on its socket failed,
// for why: the server counts it as its own failure to accept.
func WriteAcceptFailed(control *net.UnixConn, why string) error {
	return writeWhy(control, answerAcceptFailed, why, "tell the server accepting failed")
}

// writeWhy sends an answer of kind that carries a message: u32 length
// and why, cut to MaxFailureReport bytes.
func writeWhy(control *net.UnixConn, kind byte, why, what string) error {
	if len(why) > MaxFailureReport {
		why = why[:MaxFailureReport]
	}
	msg := binary.BigEndian.AppendUint32([]byte{kind}, uint32(len(why)))
	if _, err := control.Write(append(msg, why...)); err != nil {
		return callError(what, err)
	}
	return nil
}

// AcceptError is ReadAnswer's error when an executor lent the listening
// socket failed to accept on it.
type AcceptError struct {
	Why string // the executor's account of what went wrong
}

func (e *AcceptError) Error() string { return e.Why }

// NoRequestError is ReadAnswer's error when the executor got no request.
type NoRequestError struct {
	ClientGone bool   // the client went away before its request
	Why        string // the executor's account of what went wrong
}

func (e *NoRequestError) Error() string { return e.Why }

// Answer is an executor's answer to an order (ReadAnswer).
type Answer struct {
	// Taken: the executor took the call. Ext is the request's extension
	// block (nil for v1) and Stderr the caller's stderr, where the server
	// reports what the executor cannot (a crash).
	Taken  bool
	Ext    Extension
	Stderr *os.File
	// Conn is the connection the executor accepted (an accept order):
	// the call's, when Taken or when the answer for its request is to
	// follow (accepted), else one HandedBack, untouched, for the server
	// to serve.
	Conn       *net.UnixConn
	HandedBack bool
	// Revoked answers a revoke.
	Revoked bool
}

// Close lets go of the answer's descriptors.
func (a Answer) Close() {
	if a.Stderr != nil {
		a.Stderr.Close()
	}
	if a.Conn != nil {
		a.Conn.Close()
	}
}

// ReadAnswer reads an executor's answer to an order. It returns a
// *NoRequestError when the executor got no request, an *AcceptError when
// it failed to accept on the socket it was lent, and an error wrapping
// ErrPeerGone when the executor ended without answering.
func ReadAnswer(control *net.UnixConn) (Answer, error) {
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, _, _, err := control.ReadMsgUnix(b[:], oob)
	fds, parseErr := parseRights(oob[:oobn])
	if err != nil || n == 0 {
		closeFds(fds)
		if err == nil {
			err = io.EOF
		}
		return Answer{}, callError("read the executor's answer", err)
	}
	kind := b[0]
	switch {
	case parseErr != nil:
	case kind == answerTaken && len(fds) == 1, kind == answerTakenAccepted && len(fds) == 2:
		stderr := os.NewFile(uintptr(fds[0]), "the caller's stderr")
		var conn *net.UnixConn
		if len(fds) == 2 {
			if conn, err = UnixConnFromFd(fds[1]); err != nil {
				stderr.Close()
				return Answer{}, fmt.Errorf("read the executor's answer: %w", err)
			}
		}
		ext, err := readExtension(control)
		if err != nil {
			stderr.Close()
			if conn != nil {
				conn.Close()
			}
			return Answer{}, fmt.Errorf("read the executor's answer: %w", err)
		}
		if len(ext) == 0 {
			ext = nil // a v1 request
		}
		return Answer{Taken: true, Ext: ext, Stderr: stderr, Conn: conn}, nil
	case (kind == answerHandBack || kind == answerAccepted) && len(fds) == 1:
		conn, err := UnixConnFromFd(fds[0])
		if err != nil {
			return Answer{}, fmt.Errorf("read the executor's answer: %w", err)
		}
		return Answer{Conn: conn, HandedBack: kind == answerHandBack}, nil
	case kind == answerRevoked && len(fds) == 0:
		return Answer{Revoked: true}, nil
	case (kind == answerClientGone || kind == answerBadRequest) && len(fds) == 0:
		why := readFailureMessage(control)
		return Answer{}, &NoRequestError{ClientGone: kind == answerClientGone, Why: why}
	case kind == answerAcceptFailed && len(fds) == 0:
		return Answer{}, &AcceptError{Why: readFailureMessage(control)}
	}
	closeFds(fds)
	return Answer{}, fmt.Errorf("read the executor's answer: a message of kind %q with %d descriptors is no answer", kind, len(fds))
}

// fdConn makes a Unix socket connection of a received descriptor, which
// it takes over.
func UnixConnFromFd(fd int) (*net.UnixConn, error) {
	f := os.NewFile(uintptr(fd), "a connection")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("the connection is a %T, not a Unix socket", c)
	}
	return uc, nil
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
