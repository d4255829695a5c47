package preforklib

import (
	"bytes"
	"strings"
	"testing"
)

// TestExitReports: what an executor writes before it exits is what its
// server reads: the exit code, and after ExitLuapfError the reason, cut to
// MaxFailureReport bytes.
func TestExitReports(t *testing.T) {
	long := strings.Repeat("x", MaxFailureReport+10)
	for _, tc := range []struct {
		name        string
		write       func(*bytes.Buffer) error
		code        int
		failure     string
		ok          bool
		wantWritten int
	}{
		{"exit 0", func(b *bytes.Buffer) error { return WriteExitReport(b, 0) }, 0, "", true, 4},
		{"exit 3", func(b *bytes.Buffer) error { return WriteExitReport(b, 3) }, 3, "", true, 4},
		{"script's own exit 127", func(b *bytes.Buffer) error { return WriteExitReport(b, ExitLuapfError) }, ExitLuapfError, "", true, 4},
		{"failure", func(b *bytes.Buffer) error { return WriteFailureReport(b, "cannot restore") }, ExitLuapfError, "cannot restore", true, 8 + 14},
		{"long failure", func(b *bytes.Buffer) error { return WriteFailureReport(b, long) }, ExitLuapfError, long[:MaxFailureReport], true, 8 + MaxFailureReport},
		{"no report", func(b *bytes.Buffer) error { return nil }, 0, "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			if b.Len() != tc.wantWritten {
				t.Errorf("wrote %d bytes, want %d", b.Len(), tc.wantWritten)
			}
			code, failure, ok := ReadExitReport(&b)
			if code != tc.code || failure != tc.failure || ok != tc.ok {
				t.Errorf("read %d, %.20q, %v; want %d, %.20q, %v", code, failure, ok, tc.code, tc.failure, tc.ok)
			}
		})
	}
	// A failure message longer than the limit is not read at all.
	var b bytes.Buffer
	WriteExitReport(&b, ExitLuapfError)
	b.Write([]byte{0, 0, 0x10, 1})
	if code, failure, ok := ReadExitReport(&b); code != ExitLuapfError || failure != "" || !ok {
		t.Errorf("oversized failure: %d, %q, %v", code, failure, ok)
	}
}

// FuzzReadExitReport: any bytes on an executor's control socket give an
// exit code or none, and never a failure message over the limit.
func FuzzReadExitReport(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3})
	f.Add([]byte{0, 0, 0, 127, 0, 0, 0, 2, 'h', 'i'})
	f.Add([]byte{0, 0, 0, 127, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		code, failure, ok := ReadExitReport(bytes.NewReader(data))
		if !ok && (code != 0 || failure != "") || len(failure) > MaxFailureReport || failure != "" && code != ExitLuapfError {
			t.Fatalf("%q read as %d, %q, %v", data, code, failure, ok)
		}
	})
}

// TestStatusQuery: the signalling byte of a status query, and a refusal of
// any other.
func TestStatusQuery(t *testing.T) {
	var b bytes.Buffer
	if err := WriteStatusQuery(&b); err != nil {
		t.Fatal(err)
	}
	if err := ReadStatusQuery(&b); err != nil {
		t.Errorf("read back: %v", err)
	}
	if err := ReadStatusQuery(bytes.NewReader([]byte{SignalV1})); err == nil {
		t.Error("a call's signalling byte was taken for a status query")
	}
	if err := ReadStatusQuery(bytes.NewReader(nil)); err == nil {
		t.Error("end of file was taken for a status query")
	}
}
