package preforklib

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// A packed request, the luapf extension feature FeaturePacked.
//
// Protocol v1 sends a request in parts: the signalling byte, one message
// per descriptor, then the environment and argv; luapf's extensions add
// the block and, with FeatureCwd, one more descriptor. A reader that
// wakes for each part as it arrives pays for every part a trip through
// the scheduler. A luapf server offers FeaturePacked; a luapf client that
// sees it sends the whole request, extension block included, in one
// message (one sendmsg):
//
//	SignalPacked, u32 message length, the message (as v1),
//	u32 block length, the block (as after an extended request)
//
// with every descriptor attached to it as one SCM_RIGHTS list: stdin,
// stdout, stderr, and the working directory when the block has
// FeatureCwd. The reader takes the signalling byte with the descriptors
// in one recvmsg and then reads the rest, which has arrived with it.
// Signal frames (FeatureSignals) follow as after any extended request.

// FeaturePacked is the offer feature for packed requests. A client does
// not name it in its block: the signalling byte says it.
const FeaturePacked = "packed"

// WritePackedRequest sends req as one packed message, to a server that
// offered FeaturePacked. req.Ext must not be nil; req.Cwd is sent exactly
// when req.Ext has FeatureCwd.
func WritePackedRequest(c MsgWriter, req *Request) error {
	p, err := PackRequest(req)
	if err != nil {
		return err
	}
	return p.Send(c)
}

// A PackedRequest is a request encoded as one packed message, ready to be
// sent (PackRequest).
type PackedRequest struct {
	buf   []byte
	fds   []int
	files []*os.File // kept open until sent
}

// PackRequest encodes req as one packed message, for a server that
// offered FeaturePacked, without sending it: the files of req must stay
// open until Send has sent it. req.Ext must not be nil; req.Cwd is sent
// exactly when req.Ext has FeatureCwd.
func PackRequest(req *Request) (*PackedRequest, error) {
	msg, err := EncodeMessage(req.Env, req.Argv)
	if err != nil {
		return nil, fmt.Errorf("write request: %w", err)
	}
	if req.Ext == nil {
		return nil, fmt.Errorf("write request: a packed request needs an extension block")
	}
	files := []*os.File{req.Stdin, req.Stdout, req.Stderr}
	_, sendCwd := req.Ext[FeatureCwd]
	if sendCwd != (req.Cwd != nil) {
		return nil, fmt.Errorf("write request: the extension block must have %q exactly when a working directory is sent", FeatureCwd)
	}
	if sendCwd {
		files = append(files, req.Cwd)
	}
	block, err := req.Ext.encode()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, 1+4+len(msg)+len(block))
	buf = append(buf, SignalPacked)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(msg)))
	buf = append(append(buf, msg...), block...)
	fds := make([]int, len(files))
	for i, f := range files {
		if fds[i], err = rawFd(f); err != nil {
			return nil, fmt.Errorf("write request: %w", err)
		}
	}
	return &PackedRequest{buf: buf, fds: fds, files: files}, nil
}

// Send sends the packed request on c.
func (p *PackedRequest) Send(c MsgWriter) error {
	n, _, err := c.WriteMsgUnix(p.buf, unix.UnixRights(p.fds...), nil)
	runtime.KeepAlive(p.files) // the descriptors stay open until sent
	if err != nil {
		return callError("write request", err)
	}
	// A request larger than the socket's buffer goes in more than one
	// piece; the descriptors went with the first.
	if n < len(p.buf) {
		if _, err := c.Write(p.buf[n:]); err != nil {
			return callError("write request", err)
		}
	}
	return nil
}

// rawFd returns f's descriptor without switching it to blocking mode, as
// f.Fd would. It stays valid while f is open.
func rawFd(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("send %s: %w", f.Name(), err)
	}
	fd := -1
	if err := rc.Control(func(raw uintptr) { fd = int(raw) }); err != nil {
		return -1, fmt.Errorf("send %s: %w", f.Name(), err)
	}
	return fd, nil
}

// readPacked reads the rest of a packed request whose signalling byte
// brought fds, into req; it takes ownership of fds.
func readPacked(c *net.UnixConn, req *Request, fds []int) error {
	names := []string{"the caller's stdin", "the caller's stdout", "the caller's stderr", "the caller's working directory"}
	if len(fds) != 3 && len(fds) != 4 {
		closeFds(fds)
		return fmt.Errorf("read request: a packed request carried %d descriptors, want 3 or 4", len(fds))
	}
	files := make([]*os.File, len(fds))
	for i, fd := range fds {
		files[i] = os.NewFile(uintptr(fd), names[i])
	}
	req.Stdin, req.Stdout, req.Stderr = files[0], files[1], files[2]
	if len(files) == 4 {
		req.Cwd = files[3]
	}
	if err := readMessage(c, req); err != nil {
		return err
	}
	ext, err := readExtension(c)
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	req.Ext = ext
	if _, ok := ext[FeatureCwd]; ok != (req.Cwd != nil) {
		return fmt.Errorf("read request: the block says %q is %v, but the request carried %d descriptors", FeatureCwd, ok, len(fds))
	}
	return nil
}

func closeFds(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
