package client

import (
	"fmt"
	"io"

	"luapf/preforklib"
	"luapf/preforklib/rundir"
)

// Every server of this user in the run directory, at once: luapf --kill
// --all stops them all, and luapf --status with no script removes what is
// left of servers that are gone, by the rules below.
//
// A socket is stale when nobody listens on it (its server was killed with
// SIGKILL, or crashed) and no client holds its lock (nobody is starting a
// server on it right now). It is removed with its lock file, under the
// lock, after checking once more that nobody listens: a client may have
// started a server there since it was listed. A lock file without a socket
// whose lock is free is what a client that died while starting a server
// leaves; it goes too.

// killAll stops every server in the run directory (luapf --kill --all): it
// removes each server's socket and lock file under its lock, waiting for a
// client that is starting one, as --kill does for one script, but only
// once every other server is stopped. Each server quits once its watcher
// sees its socket gone and its calls in progress have ended. It exits 0
// when at least one server was listening, else it says there was none on
// w and exits ExitNoServer.
func killAll(w io.Writer) int {
	runDir, err := rundir.RunDir()
	if err != nil {
		return preforklib.Fail(w, err)
	}
	entries, err := rundir.ListServers(runDir)
	if err != nil {
		return preforklib.Fail(w, err)
	}
	stopped := 0
	var starting []string // idents whose lock a client holds
	for _, wait := range []bool{false, true} {
		idents := starting
		if !wait {
			for _, e := range entries {
				idents = append(idents, e.Ident)
			}
		}
		for _, ident := range idents {
			running, held, err := removeServer(runDir, ident, wait)
			if err != nil {
				return preforklib.Fail(w, fmt.Errorf("stop the server on %s: %w", rundir.SocketPath(runDir, ident), err))
			}
			if held {
				starting = append(starting, ident)
			}
			if running {
				stopped++
			}
		}
	}
	if stopped == 0 {
		preforklib.Say(w, "no server to stop in %s", runDir)
		return ExitNoServer
	}
	return 0
}

// removeServer takes the lock of the server called ident, waiting for it
// if wait is true, and removes its socket and lock file; running says a
// server listened on the socket. Without wait, held says a client holds
// the lock, and nothing was done.
func removeServer(runDir, ident string, wait bool) (running, held bool, err error) {
	var lock *rundir.Lock
	if wait {
		lock, err = rundir.AcquireLock(rundir.LockPath(runDir, ident))
	} else {
		lock, held, err = rundir.TryLock(rundir.LockPath(runDir, ident))
	}
	if err != nil || held {
		return false, held, err
	}
	defer lock.Release()
	if running, err = listening(rundir.SocketPath(runDir, ident)); err != nil {
		return false, false, err
	}
	return running, false, rundir.RemoveServer(runDir, ident)
}

// removeStale removes the socket and lock file of the server called ident
// if nobody listens on the socket and nobody holds the lock, and reports
// whether it did.
func removeStale(runDir, ident string) (removed bool, err error) {
	lock, held, err := rundir.TryLock(rundir.LockPath(runDir, ident))
	if err != nil || held {
		return false, err
	}
	defer lock.Release()
	running, err := listening(rundir.SocketPath(runDir, ident))
	if err != nil || running {
		return false, err
	}
	return true, rundir.RemoveServer(runDir, ident)
}

// listening reports whether a server listens on the socket at sockPath. It
// connects as a status query, which a luapf server does not count as a
// call, and hangs up at once.
func listening(sockPath string) (bool, error) {
	conn, err := dialUnixAs(sockPath, preforklib.StatusAddress())
	if conn != nil {
		conn.Close()
	}
	return conn != nil, err
}
