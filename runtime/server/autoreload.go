package server

import (
	"os"
	"time"

	"luapf/runtime/image"
)

// staleDependency returns the first of meta's files that changed since
// reference: a watched file that is newer or gone (staleFile), or a file the
// initialisation found missing that now exists.
func staleDependency(meta *image.Meta, reference time.Time) (string, bool) {
	if path, stale := staleFile(meta.Watch, reference); stale {
		return path, true
	}
	for _, path := range meta.WatchAbsent {
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
func staleFile(watch []string, reference time.Time) (string, bool) {
	for _, path := range watch {
		st, err := os.Stat(path)
		if err != nil || st.ModTime().After(reference) {
			return path, true
		}
	}
	return "", false
}
