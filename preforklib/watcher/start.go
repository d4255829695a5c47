package watcher

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"luapf/preforklib/reexec"
)

// A client starts a watcher with every new server (Start) and hands the
// server the watcher's pipe ends.

// Ends are the client's side of a started watcher: the two pipe ends that
// the server inherits.
type Ends struct {
	WatchIn  *os.File // write end of the watcher's stdin: the server's WATCHI
	WatchErr *os.File // read end of the watcher's stderr: the server's WATCHE (non-blocking)
}

// Close closes both ends.
func (w Ends) Close() {
	reexec.CloseAll(w.WatchIn, w.WatchErr)
}

// Start starts the watcher for the socket at path, which is id.
func Start(path string, id SocketID) (Ends, error) {
	inR, inW, err := reexec.Pipe("watcher stdin", false)
	if err != nil {
		return Ends{}, err
	}
	errR, errW, err := reexec.Pipe("watcher stderr", true)
	if err != nil {
		reexec.CloseAll(inR, inW)
		return Ends{}, err
	}
	defer reexec.CloseAll(inR, errW) // the watcher's ends: only it keeps them
	cmd := reexec.Command(reexec.RoleWatcher, commandArgs(path, id)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, errW, errW
	cmd.Dir = "/"
	// Its own session, like a daemon: it outlives this client and must
	// not get the terminal's signals.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		reexec.CloseAll(inW, errR)
		return Ends{}, fmt.Errorf("start watcher: %w", err)
	}
	// Never waited for: it outlives us, and init reaps it.
	cmd.Process.Release()
	return Ends{WatchIn: inW, WatchErr: errR}, nil
}

// commandArgs are the watcher's arguments for the socket at path, which is
// id (parseWatcherArgs reads them).
func commandArgs(path string, id SocketID) []string {
	return []string{path, strconv.FormatUint(id.Dev, 10), strconv.FormatUint(id.Ino, 10)}
}
