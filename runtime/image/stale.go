package image

import (
	"os"
	"syscall"
	"time"
)

// Stale returns the first of m's files that changed since its Reference:
// a watched file that is newer or gone (staleFile), or a file the
// initialisation found missing that now exists. A server that serves a
// call checks first, whichever process accepted it: a stale server must
// quit and let the next call start a fresh one.
func (m *Meta) Stale() (path string, stale bool) {
	if path, stale := staleFile(m.Watch, time.Unix(0, m.Reference)); stale {
		return path, true
	}
	for _, path := range m.WatchAbsent {
		if _, err := os.Stat(path); err == nil {
			return path, true
		}
	}
	return "", false
}

// staleFile returns the first watched file whose modification time is after
// reference, or that is gone: the server must quit and let the next call
// start a fresh one that loads the new code. reference is the mtime of the
// socket the client bound before starting setup (PREFORK_INTERP).
//
// Unlike the Perl library, which looks at the modification time alone,
// luapf also takes a file whose inode changed after reference (its ctime)
// for a new one: a file replaced by one whose modification time was kept
// (cp -p, rsync -t, tar, or a package upgrade installing the luapf
// executable, which dpkg dates from its build) is older than the server by
// its mtime, yet new code. A chmod makes a server restart too; that costs
// one cold call.
func staleFile(watch []string, reference time.Time) (string, bool) {
	for _, path := range watch {
		st, err := os.Stat(path)
		if err != nil || st.ModTime().After(reference) || changeTime(st).After(reference) {
			return path, true
		}
	}
	return "", false
}

// changeTime returns when st's inode last changed (its ctime), or the zero
// time where the system does not say.
func changeTime(st os.FileInfo) time.Time {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}
	}
	return time.Unix(sys.Ctim.Sec, sys.Ctim.Nsec)
}
