package preforklib

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The caller's working directory, the luapf extension feature FeatureCwd.
// A cold run of a script runs in its caller's working directory; an
// executor starts in its server's, which is that of the call that started
// the server. That is the same directory for calls that share a hashed
// ident (the ident covers the working directory), but not for calls that
// name their server with -g. A luapf server offers FeatureCwd, and a luapf
// client that sees it
//
//   - puts the entry "cwd=" (no value) in its extension block, and
//   - right after the block, sends one more one-byte message carrying a
//     descriptor of its working directory (OpenWorkingDir), as it sends its
//     standard files.
//
// The request rides the messages the call sends anyway: no extra round
// trip. The executor changes to that directory (Chdir) before the script
// continues. A client that does not send it (chiark's C client), or a
// server that does not offer it (the Perl library), leaves the call in the
// server's working directory, as protocol v1 does.

// FeatureCwd is the offer feature, and extension entry, for the caller's
// working directory.
const FeatureCwd = "cwd"

// OpenWorkingDir opens this process's working directory as a descriptor to
// send with FeatureCwd. It is opened O_PATH: that needs no read permission
// on the directory, and is enough for fchdir.
func OpenWorkingDir() (*os.File, error) {
	fd, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the working directory: %w", err)
	}
	return os.NewFile(uintptr(fd), "the caller's working directory"), nil
}

// Chdir makes dir, a directory descriptor received with FeatureCwd, this
// process's working directory.
func Chdir(dir *os.File) error {
	rc, err := dir.SyscallConn()
	if err != nil {
		return fmt.Errorf("change to %s: %w", dir.Name(), err)
	}
	var chErr error
	if err := rc.Control(func(fd uintptr) { chErr = unix.Fchdir(int(fd)) }); err != nil {
		return fmt.Errorf("change to %s: %w", dir.Name(), err)
	}
	if chErr != nil {
		return fmt.Errorf("change to %s: %w", dir.Name(), chErr)
	}
	return nil
}
