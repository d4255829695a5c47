package preforklib

import (
	"fmt"
	"io"
)

// How every luapf process reports its own failures (docs/protocol.md,
// exit status): one line on stderr that starts with the program's name,
// and exit status 127. The client follows the C client there, and luapf's
// other roles follow the client, so that a caller can tell luapf's
// failures from a script's own exit statuses.

// ProgramName is luapf's name: the prefix of its messages and the name of
// its run directories ($XDG_RUNTIME_DIR/luapf, ...).
const ProgramName = "luapf"

// ExitLuapfError is the status with which every luapf process exits after
// one of its own errors: the client, its helper roles, and an executor
// that cannot run its call. A client also exits with it after a script
// killed by a signal that cannot be passed on faithfully.
const ExitLuapfError = 127

// Say writes one of luapf's messages to w: ProgramName, ": ", the text
// format and args make, and a newline.
func Say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s: %s\n", ProgramName, fmt.Sprintf(format, args...))
}

// Fail says err on w and returns ExitLuapfError, for a role's main
// function to return.
func Fail(w io.Writer, err error) int {
	Say(w, "%v", err)
	return ExitLuapfError
}
