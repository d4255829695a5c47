package server

import (
	"fmt"
	"io"
	"log"
	"log/syslog"
	"os"
	"path/filepath"
	"strings"

	"luapf/runtime/lua"
)

// serverLog is where a server and its executors report what no caller can
// see: starts, stops, failed calls. It is syslog when /dev/log exists, else
// a file next to the server's socket in the run directory.
type serverLog struct {
	*log.Logger
	where string   // "syslog (facility daemon)" or the file path
	file  *os.File // the log file, or nil for syslog
}

// logFileFor names the log file of the server whose socket is socketPath:
// RUNDIR/g<ident>.log ("s" and "l" name sockets and locks).
func logFileFor(socketPath string) string {
	dir, base := filepath.Split(socketPath)
	return filepath.Join(dir, "g"+strings.TrimPrefix(base, "s")+".log")
}

// openServerLog opens the log for the server at socketPath.
func openServerLog(socketPath, facility string, script string) (*serverLog, error) {
	tag := "luapf[" + filepath.Base(script) + "]"
	if _, err := os.Stat("/dev/log"); err == nil {
		pri, _ := lua.SyslogFacility(facility)
		if w, err := syslog.New(pri|syslog.LOG_INFO, tag); err == nil {
			return &serverLog{Logger: log.New(w, "", 0), where: "syslog (facility " + facility + ")"}, nil
		}
	}
	path := logFileFor(socketPath)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log file %s: %w", path, err)
	}
	return &serverLog{Logger: log.New(f, tag+" ", log.LstdFlags|log.Lmsgprefix), where: path, file: f}, nil
}

// discardLog is used when no log can be opened at all.
func discardLog() *serverLog {
	return &serverLog{Logger: log.New(io.Discard, "", 0), where: "nowhere"}
}
