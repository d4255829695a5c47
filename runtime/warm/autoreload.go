package warm

import (
	"os"
	"time"
)

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
