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
