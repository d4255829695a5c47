package preforklib

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// Passing open files over a Unix socket. prefork-interp sends each file as
// its own one-byte message with the descriptor attached as SCM_RIGHTS
// ancillary data, so that the receiver can take them one at a time with a
// one-byte recvmsg and never read a byte that carries a descriptor by
// accident.

// maxRightsPerMessage sizes the receive buffer for ancillary data. One
// descriptor is expected; room for a few more lets the receiver notice a
// peer that attached several (and close them) instead of the kernel
// truncating the control data.
const maxRightsPerMessage = 8

// MsgWriter is the connected Unix stream socket a request is written to:
// it writes bytes, and bytes with descriptors attached as ancillary data.
// A *net.UnixConn is one; so is a luapf client's end of a call, a
// blocking socket used without the Go runtime's poller.
type MsgWriter interface {
	io.Writer
	// WriteMsgUnix writes b with the ancillary data oob, as
	// (*net.UnixConn).WriteMsgUnix does; addr is nil on a connected
	// socket.
	WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (n, oobn int, err error)
}

// SendFile sends f over c as one byte 0x00 carrying f's descriptor. f stays
// open; its blocking mode is left as it is.
func SendFile(c MsgWriter, f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("send %s: %w", f.Name(), err)
	}
	var sendErr error
	if err := raw.Control(func(fd uintptr) {
		n, _, err := c.WriteMsgUnix([]byte{0}, unix.UnixRights(int(fd)), nil)
		switch {
		case err != nil:
			sendErr = callError("send "+f.Name(), err)
		case n != 1:
			sendErr = fmt.Errorf("send %s: sendmsg wrote %d bytes, want 1", f.Name(), n)
		}
	}); err != nil {
		return fmt.Errorf("send %s: %w", f.Name(), err)
	}
	return sendErr
}

// ReceiveFile receives one byte from c that carries exactly one descriptor
// and returns the descriptor as a file called name (the name appears in
// error messages about it). The descriptor is close-on-exec. Any extra
// descriptors the peer attached are closed and reported as an error.
func ReceiveFile(c *net.UnixConn, name string) (*os.File, error) {
	var b [1]byte
	oob := make([]byte, unix.CmsgSpace(maxRightsPerMessage*4))
	n, oobn, flags, _, err := c.ReadMsgUnix(b[:], oob)
	fds, parseErr := parseRights(oob[:oobn])
	fail := func(err error) (*os.File, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	switch {
	case err != nil:
		return fail(callError("receive "+name, err))
	case n == 0:
		return fail(fmt.Errorf("receive %s: %w (end of file)", name, ErrPeerGone))
	case parseErr != nil:
		return fail(fmt.Errorf("receive %s: %w", name, parseErr))
	case flags&unix.MSG_CTRUNC != 0:
		return fail(fmt.Errorf("receive %s: the ancillary data was truncated (more than %d descriptors attached)", name, maxRightsPerMessage))
	case len(fds) != 1:
		return fail(fmt.Errorf("receive %s: the message carried %d descriptors, want exactly 1", name, len(fds)))
	}
	return os.NewFile(uintptr(fds[0]), name), nil
}

// parseRights returns every descriptor in SCM_RIGHTS messages of oob. It
// returns what it found even with an error, so that the caller can close
// them.
func parseRights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse ancillary data: %w", err)
	}
	var fds []int
	var errs []error
	for i := range msgs {
		if msgs[i].Header.Level != unix.SOL_SOCKET || msgs[i].Header.Type != unix.SCM_RIGHTS {
			continue
		}
		got, err := unix.ParseUnixRights(&msgs[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("parse SCM_RIGHTS: %w", err))
			continue
		}
		fds = append(fds, got...)
	}
	return fds, errors.Join(errs...)
}
