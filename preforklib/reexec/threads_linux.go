package reexec

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Some settings Linux keeps per thread (the nice value, the CPU mask), and
// a Go process has several threads, which the runtime starts as it needs
// them: setting them for a process means setting them on every thread
// /proc/self/task lists. An executor does so twice per call, on the
// call's path, so EachThread reads the directory into a
// buffer on the stack, where os.ReadDir allocates a buffer and an entry
// per thread and sorts them (measured alone on a 2-core VM: 75 µs against
// 100-180 µs).

// EachThread calls fn with the id of each thread of this process, and
// returns the first error fn returns or reading /proc/self/task fails
// with. A thread started meanwhile may be missed.
func EachThread(fn func(tid int) error) error {
	dir, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("list this process's threads: %w", err)
	}
	defer unix.Close(dir)
	var buf [4096]byte
	for {
		n, err := unix.Getdents(dir, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("list this process's threads: %w", err)
		}
		if n == 0 {
			return nil
		}
		for off := 0; off+dirent64NameOffset <= n; {
			reclen := int(buf[off+16]) | int(buf[off+17])<<8
			if reclen < dirent64NameOffset || off+reclen > n {
				return fmt.Errorf("list this process's threads: a directory entry of %d bytes at %d of %d", reclen, off, n)
			}
			if tid, ok := decimal(buf[off+dirent64NameOffset : off+reclen]); ok {
				if err := fn(tid); err != nil {
					return err
				}
			}
			off += reclen
		}
	}
}

// dirent64NameOffset is where the name starts in a struct linux_dirent64
// (u64 inode, s64 offset, u16 record length, u8 type, then the name,
// NUL-terminated and padded).
const dirent64NameOffset = 19

// decimal parses the NUL-terminated name as a thread id: digits only, as
// "." and ".." are not.
func decimal(name []byte) (int, bool) {
	v, digits := 0, 0
	for _, c := range name {
		if c == 0 {
			break
		}
		if c < '0' || c > '9' || digits == 9 {
			return 0, false
		}
		v, digits = v*10+int(c-'0'), digits+1
	}
	return v, digits > 0
}
