package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Lock is a held lock on a server's lock file. Whoever holds it may create,
// replace or remove that server's socket. The lock file is close-on-exec:
// no process the holder starts inherits it.
type Lock struct {
	f *os.File
}

// AcquireLock waits for and takes the lock at path, creating the file if
// needed. Because a lock file can be removed (by --kill or a preclean)
// while someone waits for it, the lock is taken again if path no longer
// names the locked inode once the wait is over.
func AcquireLock(path string) (*Lock, error) {
	l, _, err := lockFile(path, unix.LOCK_EX)
	return l, err
}

// TryLock takes the lock at path if nobody holds it. held is true when
// somebody else holds it; then l is nil.
func TryLock(path string) (l *Lock, held bool, err error) {
	return lockFile(path, unix.LOCK_EX|unix.LOCK_NB)
}

func lockFile(path string, how int) (*Lock, bool, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("open lock: %w", err)
		}
		if err := flock(f, how); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, true, nil
			}
			return nil, false, fmt.Errorf("lock %s: %w", path, err)
		}
		same, err := namesFile(path, f)
		if err != nil {
			f.Close()
			return nil, false, fmt.Errorf("check lock %s after locking: %w", path, err)
		}
		if same {
			return &Lock{f: f}, false, nil
		}
		f.Close() // removed or replaced while we waited: lock the new one
	}
}

func flock(f *os.File, how int) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lockErr error
	if err := raw.Control(func(fd uintptr) {
		for {
			lockErr = unix.Flock(int(fd), how)
			if lockErr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return lockErr
}

// namesFile reports whether path still names the inode open as f.
func namesFile(path string, f *os.File) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sameInode(held, now), nil
}

// sameInode reports whether two stats are of the same inode.
func sameInode(a, b fs.FileInfo) bool {
	sa, okA := a.Sys().(*syscall.Stat_t)
	sb, okB := b.Sys().(*syscall.Stat_t)
	return okA && okB && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("release lock %s: %w", l.f.Name(), err)
	}
	return nil
}
