package rundir

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// A server runs its script as its own user with the caller's files, so only
// that user may call it. The run directory (0700) and the socket (0600)
// keep everyone else out already; checking the kernel's credentials of
// every connection, whichever process accepts it (a server, or an
// executor lent its socket), holds even if those permissions were
// loosened by hand.

// CheckPeer returns an error unless the process at the other end of conn
// runs as this process's effective user: a server's, or an executor's
// that accepted conn for it. The kernel records the credentials at connect
// time, so the peer cannot fake them.
func CheckPeer(conn *net.UnixConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return fmt.Errorf("read the caller's credentials: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return fmt.Errorf("read the caller's credentials: %w", err)
	}
	if credErr != nil {
		return fmt.Errorf("read the caller's credentials (SO_PEERCRED): %w", credErr)
	}
	if me := os.Geteuid(); int(cred.Uid) != me {
		return fmt.Errorf("the caller (pid %d) runs as uid %d, and this server serves only uid %d", cred.Pid, cred.Uid, me)
	}
	return nil
}
