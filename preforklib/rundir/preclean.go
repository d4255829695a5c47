package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"syscall"
	"time"
)

// MaxServers is how many servers' entries a run directory keeps: before
// starting a server, a client removes the oldest entries beyond this many.
const MaxServers = 100

// ServerEntry is one server's entries in a run directory: a socket
// s<ident>, a lock file l<ident>, or both.
type ServerEntry struct {
	Ident string
	// SocketAtime is the last access time of the socket, the zero time if
	// there is no socket. A connect updates it (within the limits of the
	// file system's relatime rule), so it tells roughly when the server
	// was last used.
	SocketAtime time.Time
}

// ListServers returns the servers that have entries in runDir, sorted by
// ident. A run directory that does not exist has none.
func ListServers(runDir string) ([]ServerEntry, error) {
	des, err := os.ReadDir(runDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	seen := map[string]bool{}
	var out []ServerEntry
	for _, de := range des { // ReadDir sorts by name
		name := de.Name()
		if len(name) < 2 || (name[0] != 's' && name[0] != 'l') || seen[name[1:]] {
			continue
		}
		ident := name[1:]
		seen[ident] = true
		atime, err := socketAtime(SocketPath(runDir, ident))
		if err != nil {
			return nil, fmt.Errorf("list servers: %w", err)
		}
		out = append(out, ServerEntry{Ident: ident, SocketAtime: atime})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ident < out[j].Ident })
	return out, nil
}

func socketAtime(path string) (time.Time, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, nil
	}
	return time.Unix(st.Atim.Unix()), nil
}

// Preclean removes the least recently used servers' entries from runDir
// until at most keep remain; removing a socket makes its server quit (its
// watcher notices). Each entry is removed under its lock, and only if its
// socket was not used since it was listed; one that is in use is skipped
// for the next oldest. Unlike the C client, which
// waits for each lock and removes the keep oldest entries whenever there
// are more than keep, Preclean removes only the excess and skips entries
// whose lock is held: a held lock means a client is starting that server
// right now.
func Preclean(runDir string, keep int) error {
	entries, err := ListServers(runDir)
	if err != nil || len(entries) <= keep {
		return err
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].SocketAtime.Before(entries[j].SocketAtime) })
	excess := len(entries) - keep
	for _, e := range entries {
		if excess == 0 {
			break
		}
		removed, err := removeIfUnused(runDir, e)
		if err != nil {
			return fmt.Errorf("preclean: %w", err)
		}
		if removed {
			excess--
		}
	}
	return nil
}

// removeIfUnused removes e's entries unless its lock is held or its socket
// was used since e was listed, and reports whether it did.
func removeIfUnused(runDir string, e ServerEntry) (bool, error) {
	lock, held, err := TryLock(LockPath(runDir, e.Ident))
	if err != nil || held {
		return false, err
	}
	defer lock.Release()
	atime, err := socketAtime(SocketPath(runDir, e.Ident))
	if err != nil || !atime.Equal(e.SocketAtime) {
		return false, err
	}
	return true, RemoveServer(runDir, e.Ident)
}

// RemoveServer removes the socket and lock file of the server called
// ident; the server quits once its watcher notices. The caller holds the
// server's lock.
func RemoveServer(runDir, ident string) error {
	if err := os.Remove(SocketPath(runDir, ident)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove socket: %w", err)
	}
	if err := os.Remove(LockPath(runDir, ident)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove lock: %w", err)
	}
	return nil
}
