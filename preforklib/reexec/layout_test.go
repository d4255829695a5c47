package reexec

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

// TestLayoutExtraFiles: a parent's files land at the layout's numbers, and
// a missing or stray descriptor is refused before anything starts.
func TestLayoutExtraFiles(t *testing.T) {
	open := func() *os.File {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	files := map[int]*os.File{ExecutorFdImage: open(), ExecutorFdControl: open(), ExecutorFdCrash: open()}
	extra, err := ExecutorLayout.ExtraFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	for fd, f := range files {
		if extra[fd-FirstFd] != f {
			t.Errorf("fd %d is ExtraFiles[%d] = %v, want %v", fd, fd-FirstFd, extra[fd-FirstFd], f)
		}
	}
	delete(files, ExecutorFdCrash)
	if _, err := ExecutorLayout.ExtraFiles(files); err == nil || !strings.Contains(err.Error(), "no file for fd 5 (crash report pipe)") {
		t.Errorf("without fd 5: %v", err)
	}
	files[ExecutorFdCrash] = open()
	files[9] = open()
	if _, err := ExecutorLayout.ExtraFiles(files); err == nil || !strings.Contains(err.Error(), "fd 9 is not part of") {
		t.Errorf("with fd 9: %v", err)
	}
}

// TestLayoutsNameEveryFd: every layout names each of its descriptors.
func TestLayoutsNameEveryFd(t *testing.T) {
	for _, l := range []Layout{SetupLayout, ServerLayout, ExecutorLayout} {
		if len(l.names) == 0 {
			t.Errorf("%s: empty layout", l.role)
		}
		for i, name := range l.names {
			if name == "" {
				t.Errorf("%s: fd %d has no name", l.role, FirstFd+i)
			}
		}
	}
}

// TestInheritedFile: a descriptor that is close-on-exec was not inherited
// (the Go runtime's own, or one a parent did not pass); one that is not is
// taken, named and made close-on-exec.
func TestInheritedFile(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	fd := p[0]
	if _, err := InheritedFile(RoleServer, fd, "test pipe"); err == nil || !strings.Contains(err.Error(), "did not inherit: it is started by setup, not by hand") {
		t.Errorf("close-on-exec descriptor taken: %v", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	f, err := InheritedFile(RoleServer, fd, "test pipe")
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	defer f.Close()
	if want := "test pipe (fd " + strconv.Itoa(fd) + ")"; f.Name() != want {
		t.Errorf("name %q, want %q", f.Name(), want)
	}
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("taken descriptor is not close-on-exec: 0x%x, %v", flags, err)
	}
}
