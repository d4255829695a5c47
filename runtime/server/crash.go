package server

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"luapf/preforklib"
)

// An executor whose Go runtime crashes (a fatal error, an unrecovered
// panic outside Lua, a SIGABRT dump) writes its crash report to fd 2, which
// is the caller's stderr during a call, and exits with status 2: the caller
// would take that for the script's own exit code. So each executor also
// sends its crash report (runtime/debug.SetCrashOutput) down a pipe the
// server reads. A call whose executor sent one ends with status 127 and a
// luapf message after the report on the caller's stderr, and the report
// goes to the server log.

const (
	// maxCrashReport is how much of a crash report the server keeps; the
	// rest is read and dropped, so the crashing executor never blocks on a
	// full pipe.
	maxCrashReport = 64 << 10
	// crashReportWait bounds the wait for the end of the pipe once an
	// executor has been reaped. It ends at once unless some process
	// kept the pipe's write end, which no executor passes on.
	crashReportWait = time.Second
)

// readCrashReport reads an executor's crash pipe until it ends and then
// delivers what came, "" when the executor did not crash. It reads with a
// small buffer of its own: io.Copy from an *os.File allocates 32 KiB per
// copy, twice for every executor, though nearly all pipes end empty.
func readCrashReport(r *os.File) <-chan string {
	report := make(chan string, 1)
	go func() {
		defer r.Close()
		var kept []byte
		buf := make([]byte, 4<<10)
		for {
			n, err := r.Read(buf)
			kept = append(kept, buf[:min(n, maxCrashReport-len(kept))]...)
			if err != nil {
				break
			}
		}
		report <- string(kept)
	}()
	return report
}

// crashReport returns the crash report of an executor that has exited, or
// "" if it did not crash. Call it once.
func (e *executor) crashReport() string {
	select {
	case report := <-e.crash:
		return report
	case <-time.After(crashReportWait):
		return ""
	}
}

// reportCrash tells the caller on stderr that the executor crashed, makes
// the crash (with the whole report) the reason the call's log line gives,
// and returns the call's status: luapf's own failure, 127.
func (s *server) reportCrash(stderr *os.File, g *callGroup, pid int, status uint32, report string) uint32 {
	first, _, _ := strings.Cut(strings.TrimSpace(report), "\n")
	preforklib.Say(stderr, "the executor for %s crashed: %s (the whole report is above and in %s)", s.meta.Script, first, s.log.where)
	g.noteFailure(fmt.Sprintf("executor %d crashed (%s); its report:\n%s", pid, describeWaitStatus(syscall.WaitStatus(status)), report))
	return preforklib.ExitedWith(preforklib.ExitLuapfError)
}
