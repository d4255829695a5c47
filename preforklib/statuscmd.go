package preforklib

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// luapf --status [SCRIPT]: what the server of SCRIPT is doing, or, with no
// script (and no -g), every server in the run directory.

// ExitNoServer is --status's exit status when no server runs (for SCRIPT,
// or at all). It exits 0 when one does and ExitClientError on errors.
const ExitNoServer = 1

// statusMain runs --status for inv, writing the report to out.
func statusMain(inv *Invocation, out io.Writer) int {
	if inv.HasScript || inv.FixedIdent != "" {
		c, err := newClient(inv)
		if err != nil {
			return clientError(err)
		}
		running, err := reportServer(out, c.sockPath, scriptName(inv))
		switch {
		case err != nil:
			return clientError(err)
		case running:
			return 0
		}
		return ExitNoServer
	}
	runDir, err := RunDir()
	if err != nil {
		return clientError(err)
	}
	entries, err := ListServers(runDir)
	if err != nil {
		return clientError(err)
	}
	status, shown := ExitNoServer, 0
	for _, e := range entries {
		if e.SocketAtime.IsZero() {
			continue // a lock without a socket: no server
		}
		if shown > 0 {
			fmt.Fprintln(out)
		}
		shown++
		running, err := reportServer(out, SocketPath(runDir, e.Ident), "")
		switch {
		case err != nil:
			fmt.Fprintf(os.Stderr, "%s: %v\n", ProgramName, err)
			status = ExitClientError
		case running && status == ExitNoServer:
			status = 0
		}
	}
	if shown == 0 {
		fmt.Fprintf(out, "no luapf servers in %s\n", runDir)
	}
	return status
}

// reportServer asks the server at sockPath for its status and writes it to
// out; running says a server answered. what names the script when the
// caller knows it.
func reportServer(out io.Writer, sockPath, what string) (running bool, err error) {
	st, err := QueryStatus(sockPath)
	if what == "" {
		what = "socket " + sockPath
	} else {
		what += " (socket " + sockPath + ")"
	}
	switch {
	case errors.Is(err, ErrNoServer):
		fmt.Fprintf(out, "no server for %s: nobody listens\n", what)
		return false, nil
	case errors.Is(err, ErrNoStatus):
		fmt.Fprintf(out, "server for %s: %v\n", what, err)
		return true, nil
	case err != nil:
		return false, err
	}
	fmt.Fprintf(out, "server for %s\n", st.Script)
	for _, line := range [][2]string{
		{"socket", sockPath},
		{"pid", fmt.Sprint(st.Pid)},
		{"uptime", st.Uptime.Round(time.Second).String()},
		{"calls", fmt.Sprintf("%d served, %d failed", st.CallsServed, st.CallsFailed)},
		{"executors", fmt.Sprintf("%d busy, %d pooled", st.ExecutorsBusy, st.ExecutorsPooled)},
		{"snapshot", fmt.Sprintf("%d bytes", st.SnapshotBytes)},
		{"log", st.Log},
	} {
		fmt.Fprintf(out, "  %-10s %s\n", line[0], line[1])
	}
	return true, nil
}
