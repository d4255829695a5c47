package preforklib

import (
	"encoding/binary"
	"io"
)

// The control socket between a luapf server and one of its executors, a
// socket pair of luapf's own (not part of protocol v1). The server hands
// the executor its call on it as a luapf client hands a server one
// (WriteRequest; the executor reads it with ReadRequest, extensions
// allowed). The executor answers with an exit report just before it exits:
//
//	executor → server   u32 exit code
//	                    after ExitLuapfError only: u32 length, then that
//	                    many bytes saying why luapf could not run the call
//
// An executor that ends without a report (killed by a signal, crashed)
// leaves the server only its wait status.

// MaxFailureReport limits the message of a failure report.
const MaxFailureReport = 4096

// WriteExitReport sends the exit code of a call.
func WriteExitReport(w io.Writer, code int) error {
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, uint32(code)))
	return err
}

// WriteFailureReport sends the exit report of a call that luapf could not
// run: ExitLuapfError and msg, cut to MaxFailureReport bytes.
func WriteFailureReport(w io.Writer, msg string) error {
	if len(msg) > MaxFailureReport {
		msg = msg[:MaxFailureReport]
	}
	report := binary.BigEndian.AppendUint32(nil, ExitLuapfError)
	report = binary.BigEndian.AppendUint32(report, uint32(len(msg)))
	_, err := w.Write(append(report, msg...))
	return err
}

// ReadExitReport reads an executor's exit report; ok is false when the
// executor ended without one. failure is the message of a failure report,
// "" when there is none (after a script's own os.exit(127)).
func ReadExitReport(r io.Reader) (code int, failure string, ok bool) {
	var report [4]byte
	if _, err := io.ReadFull(r, report[:]); err != nil {
		return 0, "", false
	}
	code = int(binary.BigEndian.Uint32(report[:]))
	if code == ExitLuapfError {
		failure = readFailureMessage(r)
	}
	return code, failure, true
}

// readFailureMessage reads the message of a failure report after its exit
// code; "" when there is none.
func readFailureMessage(r io.Reader) string {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return ""
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxFailureReport {
		return ""
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		return ""
	}
	return string(msg)
}
