package server

import (
	"fmt"
	"syscall"

	"luapf/preforklib"

	"golang.org/x/sys/unix"
)

// Every call that fails leaves exactly one line in the server's log, with
// the reason: a connection dropped before its request was read, a call
// that could not be handed to an executor, a caller that went away during
// its call, a script killed by a signal, and luapf's own failure in the
// executor (exit status 127; its message went to the caller's stderr). A
// script that exits with another status, 1 after an uncaught error
// included, has not failed as far as the server is concerned: the caller
// sees that status as it would from the script run directly.

// callFailure returns why a call that ended with ws failed, or "" when it
// did not fail. callerGone says the caller went away first; g tells what
// the caller forwarded and what the executor reported.
func callFailure(ws syscall.WaitStatus, callerGone bool, g *callGroup) string {
	ended := describeWaitStatus(ws)
	var why string
	switch {
	case callerGone:
		why = "its caller went away during the call; the executor was interrupted and ended with " + ended
	case ws.Signaled():
		why = "the script was killed by " + ended
	case ws.Exited() && ws.ExitStatus() == preforklib.ExitLuapfError && g.failure() != "":
		why = "luapf could not run it: " + g.failure()
	case ws.Exited() && ws.ExitStatus() == preforklib.ExitLuapfError:
		why = "exit status 127, luapf's own error status, without a report from the executor (or the script's own os.exit(127))"
	default:
		return ""
	}
	if fwd := g.forwardedNames(); fwd != "" {
		why += ", after the caller forwarded " + fwd
	}
	return why
}

// describeWaitStatus names how a process ended: "SIGTERM (terminated)",
// "exit status 3".
func describeWaitStatus(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		d := fmt.Sprintf("%s (%v)", unix.SignalName(ws.Signal()), ws.Signal())
		if ws.CoreDump() {
			d += ", core dumped"
		}
		return d
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}
