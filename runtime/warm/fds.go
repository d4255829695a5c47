package warm

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Hidden re-exec roles of the Lua runtime (see reexec.Roles).
const (
	RoleServer   = "server"
	RoleExecutor = "executor"
)

// The descriptors each role inherits, in one fixed layout from fd 3 (the
// order of exec.Cmd.ExtraFiles), like systemd's socket activation.
const (
	// server
	serverFdListen   = 3 // listening socket
	serverFdCall     = 4 // the initial call (socketpair end)
	serverFdWatchIn  = 5 // watcher's stdin sentinel, write end
	serverFdWatchErr = 6 // watcher's stderr, read end
	serverFdImage    = 7 // sealed memfd holding the Image
	serverFdReady    = 8 // pipe to setup: "ok\n" or an error message
	serverFdCount    = 6

	// executor
	executorFdImage   = 3 // the same sealed memfd
	executorFdControl = 4 // socketpair to the server: the call arrives here
	executorFdCrash   = 5 // pipe to the server: the Go runtime's crash report (crash.go)
	executorFdCount   = 3
)

// inheritedFile takes descriptor fd, inherited across exec, as a named
// file and makes it close-on-exec so it goes no further. A descriptor that
// is not open means the role was started by something other than luapf.
func inheritedFile(role string, fd int, name string) (*os.File, error) {
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return nil, fmt.Errorf("the %s role expects %s on fd %d, which is not open: it is started by luapf itself, not by hand", role, name, fd)
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name), nil
}

// inheritedFiles takes several descriptors from first on.
func inheritedFiles(role string, first int, names ...string) ([]*os.File, error) {
	files := make([]*os.File, len(names))
	for i, name := range names {
		f, err := inheritedFile(role, first+i, name)
		if err != nil {
			return nil, err
		}
		files[i] = f
	}
	return files, nil
}
