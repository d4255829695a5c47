package client

import (
	"errors"
	"os"
	"strings"

	"luapf/preforklib"
)

// Cold fallback: a script must run even when luapf cannot keep it warm.
// When no server can be used and nothing of the call has happened yet (the
// run directory cannot be made or written, the socket path would be too
// long, the server's socket, watcher or setup process cannot be started),
// the client runs the script in its own process as --standalone does,
// after one warning line on stderr. Those failures are marked unavailable
// where they happen. Once setup has started, the script's initialisation
// may have run (and printed, and changed things), so every later failure,
// the script's own above all, is reported as it is: running the script
// again would do its work twice.
//
// Only luapf's own command line can fall back: as prefork-interp with
// another interpreter (Perl) there is no runtime in this process to run it.

// unavailableError marks a failure to reach or start a server before
// anything of the call has happened.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// unavailable marks err, if not nil, as an unavailableError.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	return &unavailableError{err: err}
}

// runWithoutServer handles a failure of the client before the call: it
// runs the script in this process when the failure allows it, else it
// reports the failure.
func runWithoutServer(inv *Invocation, rt Runtime, err error) int {
	var u *unavailableError
	canRun := inv.Syntax == SyntaxLuapf && rt.Standalone != nil && (inv.Mode == ModeCall || inv.Mode == ModeFresh)
	if !errors.As(err, &u) || !canRun {
		return preforklib.Fail(os.Stderr, err)
	}
	reason := strings.ReplaceAll(u.Error(), "\n", " ")
	preforklib.Say(os.Stderr, "warning: cannot use a server: %s; running %s without a server", reason, inv.Script)
	return rt.Standalone(inv.Script, inv.Args)
}
