package client

import (
	"fmt"
	"io"
	"math"
	"syscall"

	"luapf/preforklib"
	"luapf/preforklib/reexec"

	"golang.org/x/sys/unix"
)

// A client ends the way the script ended (docs/protocol.md, exit
// status): with the same exit code; killed by the same signal when it was
// SIGINT, SIGTERM, SIGHUP, SIGPIPE or SIGKILL without a core dump, so that
// a shell or make sees exactly what it would have seen; otherwise with a
// message and ExitLuapfError.

// StatusOutcome says how to reproduce a wait status.
type StatusOutcome struct {
	Code    int            // exit with this code, when Signal is 0
	Signal  syscall.Signal // die of this signal; 0 for none
	Message string         // print this (after "luapf: ") first, if not empty
}

// reraisable are the signals a client dies of itself to pass on a death by
// them.
var reraisable = map[syscall.Signal]bool{
	syscall.SIGINT: true, syscall.SIGTERM: true, syscall.SIGHUP: true,
	syscall.SIGPIPE: true, syscall.SIGKILL: true,
}

// OutcomeOf decides how a client reproduces status, the raw wait status of
// what ("script", "setup").
func OutcomeOf(status uint32, what string) StatusOutcome {
	if status > math.MaxInt32 {
		return StatusOutcome{Code: preforklib.ExitLuapfError, Message: fmt.Sprintf("%s: wait status 0x%x does not fit in an int", what, status)}
	}
	ws := syscall.WaitStatus(status)
	switch {
	case ws.Exited():
		return StatusOutcome{Code: ws.ExitStatus()}
	case ws.Signaled():
		sig := ws.Signal()
		if reraisable[sig] && !ws.CoreDump() {
			return StatusOutcome{Signal: sig}
		}
		core := ""
		if ws.CoreDump() {
			core = ", core dumped"
		}
		return StatusOutcome{Code: preforklib.ExitLuapfError, Message: fmt.Sprintf("%s killed by signal %d (%s)%s", what, int(sig), signalDescription(sig), core)}
	}
	return StatusOutcome{Code: preforklib.ExitLuapfError, Message: fmt.Sprintf("%s ended with the unexpected wait status %d (0x%x)", what, status, status)}
}

func signalDescription(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name + ": " + sig.String()
	}
	return sig.String()
}

// PropagateStatus makes the calling process end the way status says: it
// returns the code to exit with, or kills the process with the signal.
// Messages go to stderr.
func PropagateStatus(status uint32, what string, stderr io.Writer) int {
	out := OutcomeOf(status, what)
	if out.Message != "" {
		preforklib.Say(stderr, "%s", out.Message)
	}
	if out.Signal == 0 {
		return out.Code
	}
	err := reexec.DieOfSignal(out.Signal)
	if err == nil {
		err = fmt.Errorf("still running after raising it")
	}
	preforklib.Say(stderr, "pass on the %s's death by %s: %v", what, signalDescription(out.Signal), err)
	return preforklib.ExitLuapfError
}
