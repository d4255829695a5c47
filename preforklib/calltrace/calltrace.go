// Package calltrace records when each stage of a call happens, so that
// `luapf-bench trace` can break one warm call down into its stages (client
// start, connect, greeting, request, hand-off to the executor, the script,
// exit report, client exit) across the client, server and executor
// processes.
//
// Tracing is off unless the environment variable LUAPF_TRACE names a file
// when a process starts: then every luapf process that sees it (a client;
// a server started by such a client, and its executors) appends one line
// per event to that file:
//
//	UNIX-NANOSECONDS PID ROLE EVENT [DETAIL]
//
// Each line is written with a single write to a file opened O_APPEND, so
// lines of concurrent processes do not interleave. The clock is the
// system's real-time clock, the same in every process. Off, a Recorder is
// nil and an event costs a nil check. A server started with LUAPF_TRACE
// traces every call it serves, for its whole life.
package calltrace

import (
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// EnvVar names the file to append events to.
const EnvVar = "LUAPF_TRACE"

// A Recorder appends one process's events to the trace file. The nil
// Recorder records nothing. Its methods may be called from several
// goroutines at once.
type Recorder struct {
	fd     int
	prefix []byte // "PID ROLE "
}

// FromEnv returns a Recorder for a process playing role when EnvVar names
// a file it can open, else nil: tracing never makes a call fail.
func FromEnv(role string) *Recorder {
	path := os.Getenv(EnvVar)
	if path == "" {
		return nil
	}
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil
	}
	prefix := strconv.AppendInt(nil, int64(os.Getpid()), 10)
	prefix = append(append(append(prefix, ' '), role...), ' ')
	return &Recorder{fd: fd, prefix: prefix}
}

// Mark records that event happens now.
func (r *Recorder) Mark(event string) { r.MarkDetail(event, "") }

// MarkDetail records event with detail, free text without a newline.
func (r *Recorder) MarkDetail(event, detail string) {
	if r == nil {
		return
	}
	line := strconv.AppendInt(make([]byte, 0, 96), time.Now().UnixNano(), 10)
	line = append(append(append(line, ' '), r.prefix...), event...)
	if detail != "" {
		line = append(append(line, ' '), detail...)
	}
	unix.Write(r.fd, append(line, '\n'))
}

// Usage formats a process's resource usage for MarkDetail: its CPU time
// in microseconds and its minor page faults ("cpu_us=N minflt=N").
func Usage(ru *syscall.Rusage) string {
	if ru == nil {
		return ""
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return "cpu_us=" + strconv.FormatInt(cpu.Microseconds(), 10) + " minflt=" + strconv.FormatInt(ru.Minflt, 10)
}

// SelfUsage is Usage of this process so far.
func SelfUsage() string {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return ""
	}
	return Usage(&ru)
}
