package reexec

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Taking what a role inherits. A role started by hand, without what luapf
// gives it, must say so and exit, not misbehave or panic: every check
// below fails with a message that says what the role expected on which
// descriptor and that luapf starts the role itself.

// InheritedFile takes descriptor fd, inherited across exec, as a file
// called name (with the number) and makes it close-on-exec, so that it
// goes no further. A descriptor that is not open, or that is close-on-exec
// already, was not inherited: where a role inherited nothing, the Go
// runtime's own descriptors (its poller, the cgroup files it reads the CPU
// limit from), all close-on-exec, take the lowest free numbers, the
// layout's. Either means the role was started by something other than
// luapf.
func InheritedFile(role string, fd int, name string) (*os.File, error) {
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC != 0 {
		return nil, fmt.Errorf("the %s role expects its %s on fd %d, which it did not inherit: %s", role, name, fd, notByHand(role))
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name+" (fd "+strconv.Itoa(fd)+")"), nil
}

// notByHand ends the messages about what role did not inherit: who starts
// the role, with what it needs.
func notByHand(role string) string {
	by := map[string]string{
		RoleWatcher: "a luapf client", RoleSetup: "a prefork-interp client (luapf's or chiark's)",
		RoleServer: "setup", RoleExecutor: "its server",
	}[role]
	if by == "" {
		by = "luapf"
	}
	return "it is started by " + by + ", not by hand"
}

// UnixListener returns the listening Unix stream socket f, which role
// inherited, and closes f.
func UnixListener(role string, f *os.File) (*net.UnixListener, error) {
	defer f.Close()
	if err := CheckUnixStream(role, f, true); err != nil {
		return nil, err
	}
	l, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("the %s role cannot listen on its %s: %w", role, f.Name(), err)
	}
	ul, ok := l.(*net.UnixListener)
	if !ok {
		l.Close()
		return nil, fmt.Errorf("the %s role expects a Unix socket as its %s, not a %T: %s", role, f.Name(), l, notByHand(role))
	}
	return ul, nil
}

// UnixConn returns the connected Unix stream socket f, which role
// inherited or made, and closes f.
func UnixConn(role string, f *os.File) (*net.UnixConn, error) {
	defer f.Close()
	if err := CheckUnixStream(role, f, false); err != nil {
		return nil, err
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("the %s role cannot use its %s: %w", role, f.Name(), err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("the %s role expects a Unix socket as its %s, not a %T: %s", role, f.Name(), c, notByHand(role))
	}
	return uc, nil
}

// CheckUnixStream fails unless f, which role inherited, is a Unix stream
// socket that listens (listening) or does not.
func CheckUnixStream(role string, f *os.File, listening bool) error {
	want := "a connected Unix stream socket"
	if listening {
		want = "a listening Unix stream socket"
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("the %s role cannot use its %s: %w", role, f.Name(), err)
	}
	var domain, typ, accepting int
	var sockErr error
	if err := raw.Control(func(fd uintptr) {
		if domain, sockErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN); sockErr != nil {
			return
		}
		if typ, sockErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE); sockErr != nil {
			return
		}
		accepting, sockErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	}); err != nil {
		return fmt.Errorf("the %s role cannot use its %s: %w", role, f.Name(), err)
	}
	switch {
	case sockErr == unix.ENOTSOCK:
		return fmt.Errorf("the %s role expects %s as its %s, not a file that is no socket: %s", role, want, f.Name(), notByHand(role))
	case sockErr != nil:
		return fmt.Errorf("the %s role cannot use its %s: %w", role, f.Name(), sockErr)
	case domain != unix.AF_UNIX || typ != unix.SOCK_STREAM || (accepting == 1) != listening:
		return fmt.Errorf("the %s role expects %s as its %s, and it is not one: %s", role, want, f.Name(), notByHand(role))
	}
	return nil
}
