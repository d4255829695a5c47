package server

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// TestReadCrashReport: the report is what the executor wrote to its crash
// pipe, up to maxCrashReport; the rest is read and dropped, so that the
// writer never blocks on a full pipe.
func TestReadCrashReport(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*maxCrashReport/16+1)
	for _, tc := range []struct {
		name          string
		written, want []byte
	}{
		{"no crash", nil, nil},
		{"a report", []byte("SIGABRT: abort\ngoroutine 1 [running]:\n"), []byte("SIGABRT: abort\ngoroutine 1 [running]:\n")},
		{"a report over the limit", big, big[:maxCrashReport]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			report := readCrashReport(r)
			wrote := make(chan error, 1)
			go func() {
				_, err := w.Write(tc.written)
				w.Close()
				wrote <- err
			}()
			select {
			case got := <-report:
				if got != string(tc.want) {
					t.Errorf("report of %d bytes (%.20q...), want %d bytes", len(got), got, len(tc.want))
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no report 10s after the pipe was written")
			}
			if err := <-wrote; err != nil {
				t.Errorf("writing the report: %v", err)
			}
		})
	}
}
