package preforklib

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// One call on a prefork-interp v1 call socket (docs/protocol.md, wire format). Integers
// are big-endian u32.
//
//	server → client   greeting: "PFI\n", length, that many bytes of extension data
//	client → server   one signalling byte, 0x00
//	client → server   three one-byte messages, each carrying one fd (SCM_RIGHTS):
//	                  the caller's stdin, stdout and stderr
//	client → server   length, then the message: "NAME=value\x00"... "\x00",
//	                  then "ARG\x00" for each of interpreter, script, arguments
//	server → client   the executor's raw wait status
//
// The functions below write and read each part, for both ends. None of them
// buffers reads: a byte read past the end of a part could carry a file
// descriptor, which a plain read would silently drop.

// GreetingMagic starts every greeting a server sends.
const GreetingMagic = "PFI\n"

// Limits on lengths read from a peer, so that a corrupt or hostile length
// cannot make the reader allocate without bound. The C client sends
// messages up to 4 GiB; an environment and argv that large cannot be
// passed to execve on Linux anyway.
const (
	// MaxGreetingData limits the extension data of a greeting (v1 sends none).
	MaxGreetingData = 1 << 20
	// MaxMessageLen limits the environment and argv message of a request.
	MaxMessageLen = 64 << 20
)

// Request is one call as a server receives it: the caller's standard
// streams, environment ("NAME=value" strings) and argv (interpreter, any
// interpreter arguments, script, script arguments).
type Request struct {
	Stdin, Stdout, Stderr *os.File
	Env                   []string
	Argv                  []string
	// Ext is the luapf extension block (extension.go); nil for a plain
	// v1 request.
	Ext Extension
	// Cwd is the caller's working directory when Ext has FeatureCwd
	// (cwd.go), sent right after the block; nil otherwise.
	Cwd *os.File
}

// Close closes the request's files. It is safe on a partly filled Request.
func (r *Request) Close() error {
	var first error
	for _, f := range []*os.File{r.Stdin, r.Stdout, r.Stderr, r.Cwd} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// WriteGreeting sends the server's greeting with ext as its extension data
// (nil for plain v1).
func WriteGreeting(w io.Writer, ext []byte) error {
	if len(ext) > MaxGreetingData {
		return fmt.Errorf("write greeting: %d bytes of extension data is more than the limit of %d", len(ext), MaxGreetingData)
	}
	buf := make([]byte, 0, len(GreetingMagic)+4+len(ext))
	buf = append(buf, GreetingMagic...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(ext)))
	buf = append(buf, ext...)
	if _, err := w.Write(buf); err != nil {
		return callError("write greeting", err)
	}
	return nil
}

// ReadGreeting reads a server's greeting and returns its extension data
// (empty from a v1 server; a client ignores what it does not understand).
// When the connection ends before the whole magic has arrived the error
// wraps ErrNoGreeting: nobody is serving that socket.
func ReadGreeting(r io.Reader) ([]byte, error) {
	magic := make([]byte, len(GreetingMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		if isPeerGone(err) {
			return nil, fmt.Errorf("read greeting: %w (%w)", ErrNoGreeting, err)
		}
		return nil, fmt.Errorf("read greeting: %w", err)
	}
	if string(magic) != GreetingMagic {
		return nil, fmt.Errorf("read greeting: got %q where the prefork-interp magic %q belongs: the socket is not served by a prefork-interp v1 server", magic, GreetingMagic)
	}
	n, err := readU32(r, "greeting extension length")
	if err != nil {
		return nil, err
	}
	if n > MaxGreetingData {
		return nil, fmt.Errorf("read greeting: extension data of %d bytes is more than the limit of %d", n, MaxGreetingData)
	}
	ext := make([]byte, n)
	if _, err := io.ReadFull(r, ext); err != nil {
		return nil, callError("read greeting extension data", err)
	}
	return ext, nil
}

// WriteRequest sends a call: the signalling byte, req's three files and its
// environment and argv, and, if req.Ext is not nil, its extension block
// (only to a server that made an Offer), followed by req.Cwd when the block
// has FeatureCwd.
func WriteRequest(c MsgWriter, req *Request) error {
	msg, err := EncodeMessage(req.Env, req.Argv)
	if err != nil {
		return fmt.Errorf("write request: %w", err)
	}
	_, sendCwd := req.Ext[FeatureCwd]
	if sendCwd != (req.Cwd != nil) {
		return fmt.Errorf("write request: the extension block must have %q exactly when a working directory is sent", FeatureCwd)
	}
	signal := SignalV1
	if req.Ext != nil {
		signal = SignalExtended
	}
	if _, err := c.Write([]byte{signal}); err != nil {
		return callError("write request signalling byte", err)
	}
	for _, f := range []*os.File{req.Stdin, req.Stdout, req.Stderr} {
		if err := SendFile(c, f); err != nil {
			return fmt.Errorf("write request: %w", err)
		}
	}
	buf := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(msg)), uint32(len(msg)))
	if _, err := c.Write(append(buf, msg...)); err != nil {
		return callError("write request message", err)
	}
	if req.Ext == nil {
		return nil
	}
	if err := writeExtension(c, req.Ext); err != nil {
		return err
	}
	if sendCwd {
		if err := SendFile(c, req.Cwd); err != nil {
			return fmt.Errorf("write request: %w", err)
		}
	}
	return nil
}

// ReadRequest receives a call after the greeting has been sent. It rejects
// a signalling byte other than SignalV1 (and SignalExtended and
// SignalPacked, when extended is true: the greeting made an Offer) and a
// message longer than MaxMessageLen. When the client goes away the error
// wraps ErrPeerGone. The received files, and the working directory that
// follows a block with FeatureCwd, are close-on-exec.
func ReadRequest(c *net.UnixConn, extended bool) (*Request, error) {
	sig, fds, err := readSignal(c)
	if err != nil {
		return nil, err
	}
	req := &Request{}
	fail := func(err error) (*Request, error) {
		req.Close()
		return nil, err
	}
	switch {
	case sig == SignalPacked && extended:
		if err := readPacked(c, req, fds); err != nil {
			return fail(err)
		}
		return req, nil
	case sig != SignalV1 && !(extended && sig == SignalExtended):
		closeFds(fds)
		return nil, fmt.Errorf("read request: signalling byte is 0x%02x, not 0x00: the client speaks another protocol", sig)
	case len(fds) > 0:
		closeFds(fds)
		return nil, fmt.Errorf("read request: the signalling byte 0x%02x carried %d descriptors", sig, len(fds))
	}
	for _, slot := range []struct {
		f    **os.File
		name string
	}{{&req.Stdin, "the caller's stdin"}, {&req.Stdout, "the caller's stdout"}, {&req.Stderr, "the caller's stderr"}} {
		f, err := ReceiveFile(c, slot.name)
		if err != nil {
			return fail(fmt.Errorf("read request: %w", err))
		}
		*slot.f = f
	}
	if err := readMessage(c, req); err != nil {
		return fail(err)
	}
	if sig == SignalExtended {
		if req.Ext, err = readExtension(c); err != nil {
			return fail(fmt.Errorf("read request: %w", err))
		}
		if _, ok := req.Ext[FeatureCwd]; ok {
			if req.Cwd, err = ReceiveFile(c, "the caller's working directory"); err != nil {
				return fail(fmt.Errorf("read request: %w", err))
			}
		}
	}
	return req, nil
}

// readSignal reads a request's signalling byte and the descriptors it
// carries (only a packed request's does).
func readSignal(c *net.UnixConn) (byte, []int, error) {
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, flags, _, err := c.ReadMsgUnix(b[:], oob)
	fds, parseErr := parseRights(oob[:oobn])
	switch {
	case err != nil:
		closeFds(fds)
		return 0, nil, callError("read request signalling byte", err)
	case n == 0:
		closeFds(fds)
		return 0, nil, fmt.Errorf("read request signalling byte: %w (end of file)", ErrPeerGone)
	case parseErr != nil:
		closeFds(fds)
		return 0, nil, fmt.Errorf("read request signalling byte: %w", parseErr)
	case flags&unix.MSG_CTRUNC != 0:
		closeFds(fds)
		return 0, nil, fmt.Errorf("read request signalling byte: the ancillary data was truncated (more than %d descriptors attached)", maxRightsPerMessage)
	}
	return b[0], fds, nil
}

// readMessage reads a request's environment and argv into req.
func readMessage(c *net.UnixConn, req *Request) error {
	n, err := readU32(c, "request message length")
	if err != nil {
		return err
	}
	if n > MaxMessageLen {
		return fmt.Errorf("read request: message of %d bytes is more than the limit of %d", n, MaxMessageLen)
	}
	msg, err := readBody(c, n, "request message")
	if err != nil {
		return err
	}
	if req.Env, req.Argv, err = DecodeMessage(msg); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	return nil
}

// HandshakeTimeout bounds how long a client may take to send its request
// after the greeting: a silent connection is dropped.
const HandshakeTimeout = 10 * time.Second

// ExitedWith is the wait status of a process that exited with code.
func ExitedWith(code int) uint32 { return uint32(code&0xff) << 8 }

// WriteStatus sends the executor's raw wait status, the last part of a call.
func WriteStatus(w io.Writer, status uint32) error {
	if _, err := w.Write(binary.BigEndian.AppendUint32(nil, status)); err != nil {
		return callError("write wait status", err)
	}
	return nil
}

// ReadStatus reads the executor's raw wait status.
func ReadStatus(r io.Reader) (uint32, error) {
	return readU32(r, "wait status")
}

// EncodeMessage builds the body of a request message (without its length).
// Every env entry must contain '='; no string may contain a NUL byte.
func EncodeMessage(env, argv []string) ([]byte, error) {
	size := 1
	for _, s := range env {
		size += len(s) + 1
	}
	for _, s := range argv {
		size += len(s) + 1
	}
	if size > MaxMessageLen {
		return nil, fmt.Errorf("encode message: environment and arguments take %d bytes, more than the limit of %d", size, MaxMessageLen)
	}
	buf := make([]byte, 0, size)
	for _, s := range env {
		if !strings.Contains(s, "=") {
			return nil, fmt.Errorf("encode message: environment entry %q has no '='", s)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("encode message: environment entry %q contains a NUL byte", s)
		}
		buf = append(append(buf, s...), 0)
	}
	buf = append(buf, 0)
	for i, s := range argv {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, fmt.Errorf("encode message: argument %d %q contains a NUL byte", i, s)
		}
		buf = append(append(buf, s...), 0)
	}
	return buf, nil
}

// DecodeMessage splits the body of a request message into the environment
// and argv. It is the inverse of EncodeMessage: it accepts exactly what
// EncodeMessage can produce. argv may be empty; what a server requires of
// it is the server's business.
func DecodeMessage(msg []byte) (env, argv []string, err error) {
	if len(msg) == 0 || msg[len(msg)-1] != 0 {
		return nil, nil, fmt.Errorf("decode message: it does not end with a NUL byte (%d bytes)", len(msg))
	}
	parts := bytes.Split(msg[:len(msg)-1], []byte{0})
	sep := -1
	for i, p := range parts {
		if len(p) == 0 {
			sep = i
			break
		}
		if bytes.IndexByte(p, '=') < 0 {
			return nil, nil, fmt.Errorf("decode message: environment entry %d %q has no '='", i, p)
		}
	}
	if sep < 0 {
		return nil, nil, fmt.Errorf("decode message: no empty string ends the environment (%d strings)", len(parts))
	}
	env = make([]string, sep)
	for i := range env {
		env[i] = string(parts[i])
	}
	argv = make([]string, len(parts)-sep-1)
	for i := range argv {
		argv[i] = string(parts[sep+1+i])
	}
	return env, argv, nil
}

// readBody reads the n bytes of what a peer announced. The buffer grows
// as the bytes arrive: a length alone, up to the limit, must not make the
// reader allocate it all.
func readBody(r io.Reader, n uint32, what string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(n, 64<<10)))
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		return nil, callError("read "+what, err)
	}
	return buf.Bytes(), nil
}

func readU32(r io.Reader, what string) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, callError("read "+what, err)
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

// callError describes a failed read or write on a call socket, marking the
// peer's departure with ErrPeerGone.
func callError(what string, err error) error {
	if isPeerGone(err) {
		return fmt.Errorf("%s: %w (%w)", what, ErrPeerGone, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
