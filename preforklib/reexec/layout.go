package reexec

import (
	"fmt"
	"os"
)

// The roles, and the descriptors each inherits besides its standard
// streams: one fixed layout per role from fd 3 up (the order of
// exec.Cmd.ExtraFiles), like systemd's socket activation. The parent
// passes a role's files with Layout.ExtraFiles and the role takes them
// with Layout.Inherit, both naming each descriptor by the constants
// below, so the two sides cannot disagree on the order.
//
//	role          started by            fd 0, 1, 2                       fds from 3
//	client        the caller (#!)       the caller's                     -
//	watcher       the client            0: sentinel pipe (WATCHI's read  -
//	                                    end); 1, 2: report pipe (WATCHE's
//	                                    write end)
//	setup         the client            0: /dev/null; 1, 2: the client's SetupLayout (as luapf's client
//	                                    stderr                           lays it out; PREFORK_INTERP
//	                                                                     names the numbers)
//	server        setup                 /dev/null                        ServerLayout
//	executor      the server            /dev/null, then the call's       ExecutorLayout
//	nofile-probe  the client            none (stopped before it runs)    -
const (
	RoleClient      = "client"       // the #! interpreter the caller runs
	RoleWatcher     = "watcher"      // ties a server's life to its socket path
	RoleSetup       = "setup"        // runs a script's initialisation for a new server
	RoleServer      = "server"       // accepts calls for one script
	RoleExecutor    = "executor"     // runs one call
	RoleNofileProbe = "nofile-probe" // shows a client the RLIMIT_NOFILE its children get
)

// FirstFd is the first descriptor of every layout: exec.Cmd gives its
// ExtraFiles[0] fd 3.
const FirstFd = 3

// The descriptors setup inherits as luapf's client starts it. Another
// client (chiark's C client) may choose other numbers: setup takes them
// from PREFORK_INTERP (preforklib.SetupEnv).
const (
	SetupFdListen   = FirstFd + iota // the listening socket (non-blocking)
	SetupFdCall                      // the server end of the initial call's socket pair
	SetupFdWatchIn                   // WATCHI: write end of the watcher's stdin
	SetupFdWatchErr                  // WATCHE: read end of the watcher's stderr (non-blocking)
)

// The descriptors a server inherits from setup.
const (
	ServerFdListen   = FirstFd + iota // the listening socket
	ServerFdCall                      // the initial call (socket pair end)
	ServerFdWatchIn                   // WATCHI, held so that the watcher sees the server alive
	ServerFdWatchErr                  // WATCHE: end of file or a message from the watcher
	ServerFdImage                     // the sealed memfd holding the image (runtime/image)
	ServerFdReady                     // pipe to setup: "ok\n", or why the server cannot start
)

// The descriptors an executor inherits from its server.
const (
	ExecutorFdImage   = FirstFd + iota // the same sealed memfd
	ExecutorFdControl                  // socket pair to the server: the call arrives here (preforklib.ReadRequest)
	ExecutorFdCrash                    // pipe to the server: the Go runtime's crash report, if any
)

// A Layout is the descriptors a role inherits from FirstFd up, each with
// the name errors give it.
type Layout struct {
	role  string
	names []string // names[i] names fd FirstFd+i
}

// The layouts of the roles that inherit descriptors beyond fd 2.
var (
	SetupLayout = Layout{role: RoleSetup, names: []string{
		SetupFdListen - FirstFd:   "listening socket",
		SetupFdCall - FirstFd:     "initial call socket",
		SetupFdWatchIn - FirstFd:  "watcher stdin pipe",
		SetupFdWatchErr - FirstFd: "watcher stderr pipe",
	}}
	ServerLayout = Layout{role: RoleServer, names: []string{
		ServerFdListen - FirstFd:   "listening socket",
		ServerFdCall - FirstFd:     "initial call socket",
		ServerFdWatchIn - FirstFd:  "watcher stdin pipe",
		ServerFdWatchErr - FirstFd: "watcher stderr pipe",
		ServerFdImage - FirstFd:    "snapshot image",
		ServerFdReady - FirstFd:    "setup readiness pipe",
	}}
	ExecutorLayout = Layout{role: RoleExecutor, names: []string{
		ExecutorFdImage - FirstFd:   "snapshot image",
		ExecutorFdControl - FirstFd: "executor control socket",
		ExecutorFdCrash - FirstFd:   "crash report pipe",
	}}
)

// Name returns what l says fd is, "" for a descriptor not in l.
func (l Layout) Name(fd int) string {
	if fd < FirstFd || fd-FirstFd >= len(l.names) {
		return ""
	}
	return l.names[fd-FirstFd]
}

// ExtraFiles returns files, given by descriptor number, as exec.Cmd's
// ExtraFiles must hold them for the child to inherit each at its number.
// It fails unless files has exactly l's descriptors.
func (l Layout) ExtraFiles(files map[int]*os.File) ([]*os.File, error) {
	extra := make([]*os.File, len(l.names))
	for fd, f := range files {
		if l.Name(fd) == "" || f == nil {
			return nil, fmt.Errorf("start %s: fd %d is not part of its descriptor layout", l.role, fd)
		}
		extra[fd-FirstFd] = f
	}
	for i, f := range extra {
		if f == nil {
			return nil, fmt.Errorf("start %s: no file for fd %d (%s)", l.role, FirstFd+i, l.names[i])
		}
	}
	return extra, nil
}

// Inherit takes every descriptor of l, in the process that plays l's
// role, as named close-on-exec files by number (InheritedFile). It fails
// when one is not open: the role was started by hand, not by luapf.
func (l Layout) Inherit() (map[int]*os.File, error) {
	files := make(map[int]*os.File, len(l.names))
	for i, name := range l.names {
		f, err := InheritedFile(l.role, FirstFd+i, name)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		files[FirstFd+i] = f
	}
	return files, nil
}
