package reexec

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Hidden re-exec roles of the Lua runtime (see Roles).
const (
	RoleServer   = "server"   // a server, started by setup
	RoleExecutor = "executor" // an executor, started by its server
)

// The descriptors each role inherits, in one fixed layout from fd 3 (the
// order of exec.Cmd.ExtraFiles), like systemd's socket activation.
const (
	// server
	ServerFdListen   = 3 // listening socket
	ServerFdCall     = 4 // the initial call (socketpair end)
	ServerFdWatchIn  = 5 // watcher's stdin sentinel, write end
	ServerFdWatchErr = 6 // watcher's stderr, read end
	ServerFdImage    = 7 // sealed memfd holding the Image
	ServerFdReady    = 8 // pipe to setup: "ok\n" or an error message
	ServerFdCount    = 6

	// executor
	ExecutorFdImage   = 3 // the same sealed memfd
	ExecutorFdControl = 4 // socketpair to the server: the call arrives here
	ExecutorFdCrash   = 5 // pipe to the server: the Go runtime's crash report (crash.go)
	ExecutorFdCount   = 3
)

// InheritedFile takes descriptor fd, inherited across exec, as a named
// file and makes it close-on-exec so it goes no further. A descriptor that
// is not open means the role was started by something other than luapf.
func InheritedFile(role string, fd int, name string) (*os.File, error) {
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return nil, fmt.Errorf("the %s role expects %s on fd %d, which is not open: it is started by luapf itself, not by hand", role, name, fd)
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name), nil
}

// InheritedFiles takes several descriptors from first on.
func InheritedFiles(role string, first int, names ...string) ([]*os.File, error) {
	files := make([]*os.File, len(names))
	for i, name := range names {
		f, err := InheritedFile(role, first+i, name)
		if err != nil {
			return nil, err
		}
		files[i] = f
	}
	return files, nil
}
