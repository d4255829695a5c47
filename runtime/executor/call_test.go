package executor

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// envCallerHelper makes the test binary run TestCallerHelper's body: a
// client that connects to the socket the variable names and exits.
const envCallerHelper = "LUAPF_TEST_CALLER_SOCKET"

// TestAwaitCallerExit: a finished executor waits until its client has
// exited; the client here connects and exits a little later, and must
// have exited by the time awaitCallerExit returns.
func TestAwaitCallerExit(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCallerHelper$")
	cmd.Env = append(os.Environ(), envCallerHelper+"="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	conn, err := l.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	awaitCallerExit(conn, time.Minute)
	// The helper, not reaped yet, must be a zombie by now.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if _, after, _ := strings.Cut(string(stat), ") "); !strings.HasPrefix(after, "Z") {
		t.Fatalf("awaitCallerExit returned while its client (pid %d) still ran: /proc stat %q", cmd.Process.Pid, stat)
	}
}

// TestAwaitCallerExitBounded: a client that does not exit (this process)
// holds a finished executor only for the bound.
func TestAwaitCallerExitBounded(t *testing.T) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(pair[1])
	f := os.NewFile(uintptr(pair[0]), "pair")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() {
		awaitCallerExit(c.(*net.UnixConn), 10*time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("awaitCallerExit did not return after its bound while its client, this process, lives on")
	}
}

// TestCallerHelper is TestAwaitCallerExit's client.
func TestCallerHelper(t *testing.T) {
	sock := os.Getenv(envCallerHelper)
	if sock == "" {
		t.Skip("helper process of TestAwaitCallerExit")
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		os.Exit(2)
	}
	time.Sleep(50 * time.Millisecond) // the executor is waiting by now
	c.Close()
	syscall.Exit(0)
}

// envYieldHelper makes the test binary run TestYieldHelper's body.
const envYieldHelper = "LUAPF_TEST_YIELD_CPU"

// TestYieldCPU: once its call is over, every thread of an executor is
// SCHED_IDLE, so that its exit gives way to whoever waits for the call.
// (In a helper process: the test's own threads keep their policy.)
func TestYieldCPU(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestYieldHelper$")
	cmd.Env = append(os.Environ(), envYieldHelper+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var policies []string
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "policies:"); ok {
			policies = strings.Fields(rest)
		}
	}
	if len(policies) == 0 {
		t.Fatalf("the helper printed %q, want the policy of each of its threads", out)
	}
	for i, p := range policies {
		if p != fmt.Sprint(unix.SCHED_IDLE) {
			t.Errorf("thread %d of %d has policy %s, want SCHED_IDLE (%d)", i, len(policies), p, unix.SCHED_IDLE)
		}
	}
}

// TestYieldHelper is TestYieldCPU's helper process: it yields and prints
// the scheduling policy of each of its threads.
func TestYieldHelper(t *testing.T) {
	if os.Getenv(envYieldHelper) == "" {
		t.Skip("helper process of TestYieldCPU")
	}
	yieldCPU()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Print("policies:")
	for _, task := range tasks {
		var tid int
		fmt.Sscan(task.Name(), &tid)
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Print(" ", attr.Policy)
	}
	fmt.Println()
}
