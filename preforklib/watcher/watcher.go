package watcher

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"luapf/preforklib"

	"github.com/fsnotify/fsnotify"
)

// SocketID identifies the inode a socket path named when the server was
// started.
type SocketID struct{ Dev, Ino uint64 }

// SocketIDOf returns the identity of the file fi describes.
func SocketIDOf(fi fs.FileInfo) SocketID {
	st, _ := fi.Sys().(*syscall.Stat_t)
	if st == nil {
		return SocketID{}
	}
	return SocketID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
}

// Main runs the watcher role. argv[1:] are the socket path and the device
// and inode numbers it named when the client bound it.
func Main(argv []string) int {
	path, id, err := parseWatcherArgs(argv[1:])
	if err != nil {
		preforklib.Say(os.Stderr, "%v", err)
		preforklib.Say(os.Stderr, "the watcher is started by a luapf client together with a new server, with the server's")
		preforklib.Say(os.Stderr, "watch pipes as its stdin and stderr; it is not meant to be run by hand.")
		return preforklib.ExitLuapfError
	}
	if err := watch(path, id, os.Stdin); err != nil {
		preforklib.Say(os.Stderr, "watcher for %s: %v", path, err)
		return preforklib.ExitLuapfError
	}
	return 0
}

func parseWatcherArgs(args []string) (string, SocketID, error) {
	if len(args) != 3 || !filepath.IsAbs(args[0]) {
		return "", SocketID{}, fmt.Errorf("watcher: want the arguments SOCKET-PATH DEVICE INODE, got %q", args)
	}
	dev, err1 := strconv.ParseUint(args[1], 10, 64)
	ino, err2 := strconv.ParseUint(args[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return "", SocketID{}, fmt.Errorf("watcher: device and inode %q: %w", args[1:], err)
	}
	return args[0], SocketID{Dev: dev, Ino: ino}, nil
}

// watch returns nil once path no longer names the inode id or sentinel
// has become readable (data or end of file), and an error if it cannot
// tell.
func watch(path string, id SocketID, sentinel io.Reader) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("start watching: %w", err)
	}
	defer w.Close()
	// Watch the directory, not the socket: it reports the socket's
	// removal, and a new socket bound or renamed over the path, as events
	// named by the path, whichever way they happen.
	dir := filepath.Dir(path)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	sentinelDone := make(chan error, 1)
	go func() {
		var b [1]byte
		_, err := sentinel.Read(b[:])
		if errors.Is(err, io.EOF) {
			err = nil
		}
		sentinelDone <- err
	}()
	// The socket may have changed before the watch began: check first.
	for check := true; ; {
		if check {
			if changed, err := socketChanged(path, id); err != nil || changed {
				return err
			}
		}
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("the file system watch ended")
			}
			check = ev.Name == path || ev.Name == dir
		case err := <-w.Errors:
			return fmt.Errorf("watch %s: %w", dir, err)
		case err := <-sentinelDone:
			if err != nil {
				return fmt.Errorf("read the server's sentinel pipe: %w", err)
			}
			return nil
		}
	}
}

// socketChanged reports whether path no longer names the socket id.
func socketChanged(path string, id SocketID) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("check socket: %w", err)
	}
	return SocketIDOf(fi) != id, nil
}
