package preforklib

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

func TestSendReceiveFile(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	a, b := connPair(t)
	r, w := testutil.Pipe(t)
	if err := SendFile(a, w); err != nil {
		t.Fatal(err)
	}
	got, err := ReceiveFile(b, "the test pipe")
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Name() != "the test pipe" {
		t.Errorf("received file is called %q", got.Name())
	}
	got.WriteString("through")
	w.Close()
	got.Close()
	expectRead(t, r, "through")
}

// TestSendFileKeepsBlockingMode checks that sending a non-blocking
// descriptor (a server's WATCHE is one) leaves it non-blocking: os.File.Fd
// would have made it blocking.
func TestSendFileKeepsBlockingMode(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	a, b := connPair(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(p[0]), "test pipe (read end)"), os.NewFile(uintptr(p[1]), "test pipe (write end)")
	defer r.Close()
	defer w.Close()
	if err := SendFile(a, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReceiveFile(b, "received")
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	raw, _ := r.SyscallConn()
	raw.Control(func(fd uintptr) {
		flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		if err != nil || flags&unix.O_NONBLOCK == 0 {
			t.Errorf("after SendFile the pipe's flags are 0x%x (%v), want O_NONBLOCK", flags, err)
		}
	})
}

// TestReceiveFileRejectsSeveral checks that a message with more than one
// descriptor is refused and that every descriptor in it is closed (the
// leak check).
func TestReceiveFileRejectsSeveral(t *testing.T) {
	for _, n := range []int{2, maxRightsPerMessage + 3} {
		t.Run(strings.Repeat("fd", n), func(t *testing.T) {
			testutil.CheckNoFdLeak(t)
			a, b := connPair(t)
			fds := make([]int, n)
			for i := range fds {
				fds[i] = int(os.Stdin.Fd())
			}
			if _, _, err := a.WriteMsgUnix([]byte{0}, unix.UnixRights(fds...), nil); err != nil {
				t.Fatal(err)
			}
			f, err := ReceiveFile(b, "several")
			if err == nil {
				f.Close()
				t.Fatal("ReceiveFile accepted a message with several descriptors")
			}
			if !strings.Contains(err.Error(), "descriptors") {
				t.Errorf("error %v does not say what was wrong", err)
			}
		})
	}
}

func TestReceiveFileAtEOF(t *testing.T) {
	a, b := connPair(t)
	a.Close()
	if _, err := ReceiveFile(b, "nothing"); !errors.Is(err, ErrPeerGone) {
		t.Errorf("ReceiveFile at end of file: %v, want ErrPeerGone", err)
	}
}
