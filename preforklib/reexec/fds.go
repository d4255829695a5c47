package reexec

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Descriptor helpers. Every descriptor luapf opens is close-on-exec and has
// a name (os.NewFile's), so that only the ones a child is meant to have
// reach it, and errors say which one failed.

// Pipe makes a close-on-exec pipe whose files are named after what; the
// read end is non-blocking if nonblockRead.
func Pipe(what string, nonblockRead bool) (r, w *os.File, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, fmt.Errorf("make %s pipe: %w", what, err)
	}
	if nonblockRead {
		if err := unix.SetNonblock(p[0], true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, nil, fmt.Errorf("make %s pipe non-blocking: %w", what, err)
		}
	}
	return os.NewFile(uintptr(p[0]), what+" (read end)"), os.NewFile(uintptr(p[1]), what+" (write end)"), nil
}

// CloseAll closes every non-nil file.
func CloseAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// CloseOnExecInherited makes every descriptor from 3 up close-on-exec, so
// that nothing the client inherited from its caller (a jobserver pipe, a
// shell's spare descriptor) leaks into the watcher, setup and the server,
// which would hold it open for as long as they live. Descriptors Go opened
// are close-on-exec already.
func CloseOnExecInherited() error {
	err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("make inherited descriptors close-on-exec: %w", err)
	}
	// Kernels before 5.11: one descriptor at a time.
	des, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list inherited descriptors: %w", err)
	}
	for _, de := range des {
		fd, err := strconv.Atoi(de.Name())
		if err != nil || fd < 3 {
			continue
		}
		unix.CloseOnExec(fd) // fails only for the directory's own, now closed, descriptor
	}
	return nil
}
