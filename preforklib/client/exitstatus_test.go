package client

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"luapf/preforklib"
)

// envPropagateHelper makes the test binary a helper process that ends the
// way PropagateStatus says for the wait status in the variable.
const envPropagateHelper = "LUAPF_TEST_PROPAGATE_STATUS"

func propagateHelper(status string) int {
	ws, err := strconv.ParseUint(status, 0, 32)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad %s=%q: %v\n", envPropagateHelper, status, err)
		return 200
	}
	return PropagateStatus(uint32(ws), "script", os.Stderr)
}

// helperEnd is how a helper process ended.
type helperEnd struct {
	code   int // exit code, -1 when killed
	signal syscall.Signal
	core   bool
	stderr string
}

// runPropagateHelper runs the test binary as a helper propagating status.
// With ignored signals, it runs under sh with those signals ignored, so that
// the helper starts with them ignored, as under nohup or in the background.
func runPropagateHelper(t *testing.T, status uint32, ignored string) helperEnd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	if ignored != "" {
		cmd = exec.Command("sh", "-c", `trap "" `+ignored+`; exec "$0" -test.run='^$'`, self)
	}
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", envPropagateHelper, status))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run helper: %v", err)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	end := helperEnd{code: ws.ExitStatus(), stderr: stderr.String()}
	if ws.Signaled() {
		end.code, end.signal, end.core = -1, ws.Signal(), ws.CoreDump()
	}
	return end
}

// TestPropagateExitCodes checks every exit code in a real process.
func TestPropagateExitCodes(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 8)
	for code := 0; code <= 255; code++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			end := runPropagateHelper(t, uint32(code)<<8, "")
			if end.code != code || end.stderr != "" {
				mu.Lock()
				defer mu.Unlock()
				t.Errorf("exit code %d: helper ended with code %d, signal %v, stderr %q", code, end.code, end.signal, end.stderr)
			}
		}()
	}
	wg.Wait()
}

// TestPropagateSignals checks that the client really dies of each signal
// it passes on, including when it started with the signal ignored.
func TestPropagateSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE, syscall.SIGKILL} {
		for _, ignored := range []bool{false, true} {
			name := sig.String()
			trap := ""
			if ignored && sig != syscall.SIGKILL {
				name += " ignored at start"
				trap = strconv.Itoa(int(sig))
			} else if ignored {
				continue
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				end := runPropagateHelper(t, uint32(sig), trap)
				if end.signal != sig || end.core || end.stderr != "" {
					t.Errorf("helper ended with code %d, signal %v, core %v, stderr %q; want death by %v", end.code, end.signal, end.core, end.stderr, sig)
				}
			})
		}
	}
}

// TestPropagateOtherStatuses checks that everything that cannot be passed
// on faithfully ends in a message and ExitLuapfError.
func TestPropagateOtherStatuses(t *testing.T) {
	tests := []struct {
		name   string
		status uint32
		want   string
	}{
		{"SIGSEGV", uint32(syscall.SIGSEGV), "script killed by signal 11 (SIGSEGV: segmentation fault)"},
		{"SIGUSR1", uint32(syscall.SIGUSR1), "script killed by signal 10 (SIGUSR1: user defined signal 1)"},
		{"SIGQUIT core", uint32(syscall.SIGQUIT) | 0x80, "script killed by signal 3 (SIGQUIT: quit), core dumped"},
		{"SIGINT core", uint32(syscall.SIGINT) | 0x80, "script killed by signal 2 (SIGINT: interrupt), core dumped"},
		{"unknown signal", 0x50, "script killed by signal 80"},
		{"stopped", 0x137f, "unexpected wait status 4991 (0x137f)"},
		{"too big", 0x80000000, "wait status 0x80000000 does not fit in an int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			end := runPropagateHelper(t, tt.status, "")
			if end.code != preforklib.ExitLuapfError || !strings.HasPrefix(end.stderr, "luapf: ") || !strings.Contains(end.stderr, tt.want) {
				t.Errorf("helper ended with code %d, signal %v, stderr %q; want %d and a message with %q", end.code, end.signal, end.stderr, preforklib.ExitLuapfError, tt.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		status uint32
		want   StatusOutcome
	}{
		{0, StatusOutcome{Code: 0}},
		{3 << 8, StatusOutcome{Code: 3}},
		{255 << 8, StatusOutcome{Code: 255}},
		{uint32(syscall.SIGTERM), StatusOutcome{Signal: syscall.SIGTERM}},
		{uint32(syscall.SIGKILL), StatusOutcome{Signal: syscall.SIGKILL}},
		{uint32(syscall.SIGPIPE), StatusOutcome{Signal: syscall.SIGPIPE}},
		{uint32(syscall.SIGHUP) | 0x80, StatusOutcome{Code: preforklib.ExitLuapfError, Message: "setup killed by signal 1 (SIGHUP: hangup), core dumped"}},
	}
	for _, tt := range tests {
		if got := OutcomeOf(tt.status, "setup"); got != tt.want {
			t.Errorf("OutcomeOf(0x%x) = %+v, want %+v", tt.status, got, tt.want)
		}
	}
}
