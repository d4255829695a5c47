package rundir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"luapf/preforklib"

	"golang.org/x/sys/unix"
)

// RunDirConfig is what choosing a run directory depends on. RunDir fills
// it from the process; tests fill it by hand.
type RunDirConfig struct {
	XDGRuntimeDir string    // $XDG_RUNTIME_DIR; "" when unset
	RunUserDir    string    // /run/user/UID
	Home          string    // $HOME, or the passwd home when HOME is unset
	Nodename      string    // the host name (uname)
	UID           int       // the owner every candidate must have
	Warn          io.Writer // where warnings about unsafe candidates go
}

// RunDir chooses, creates (mode 0700) and returns luapf's run directory,
// where sockets and locks live, warning on stderr about each candidate that
// exists but is unsafe:
//
//  1. $XDG_RUNTIME_DIR/luapf when XDG_RUNTIME_DIR is set and safe;
//  2. /run/user/UID/luapf when that directory is safe;
//  3. $HOME/.luapf/HOST, HOST being the host name up to its first dot (the
//     passwd home only when HOME is unset).
//
// Safe means: an absolute path to a directory (not a symbolic link) owned
// by the user, with no permissions for group or others (the check the C
// client makes of /run/user/UID). Following $HOME, unlike the C client,
// lets each test isolate its servers by setting HOME.
func RunDir() (string, error) {
	cfg, err := DefaultRunDirConfig()
	if err != nil {
		return "", err
	}
	return cfg.Resolve()
}

// DefaultRunDirConfig describes this process's user, host and environment.
func DefaultRunDirConfig() (RunDirConfig, error) {
	cfg := RunDirConfig{
		XDGRuntimeDir: os.Getenv("XDG_RUNTIME_DIR"),
		UID:           os.Getuid(),
		Home:          os.Getenv("HOME"),
		Warn:          os.Stderr,
	}
	cfg.RunUserDir = "/run/user/" + strconv.Itoa(cfg.UID)
	if cfg.Home == "" {
		u, err := user.LookupId(strconv.Itoa(cfg.UID))
		if err != nil {
			return cfg, fmt.Errorf("find the home directory of uid %d (HOME is unset): %w", cfg.UID, err)
		}
		cfg.Home = u.HomeDir
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return cfg, fmt.Errorf("uname: %w", err)
	}
	cfg.Nodename = unix.ByteSliceToString(uts.Nodename[:])
	return cfg, nil
}

// Resolve chooses and creates the run directory that cfg describes.
func (cfg RunDirConfig) Resolve() (string, error) {
	dir, err := cfg.choose()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create run directory: %w", err)
	}
	// MkdirAll leaves an existing directory as it is: make sure it is
	// ours and private before putting sockets in it.
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("check run directory: %w", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return "", fmt.Errorf("run directory %s is not a directory", dir)
	case st == nil || int(st.Uid) != cfg.UID:
		return "", fmt.Errorf("run directory %s is not owned by uid %d", dir, cfg.UID)
	case fi.Mode().Perm() != 0o700:
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("make run directory private: %w", err)
		}
	}
	return dir, nil
}

func (cfg RunDirConfig) choose() (string, error) {
	if cfg.XDGRuntimeDir != "" {
		ok, err := cfg.safeBase(cfg.XDGRuntimeDir, "XDG_RUNTIME_DIR")
		if err != nil {
			return "", err
		}
		if ok {
			return filepath.Join(cfg.XDGRuntimeDir, preforklib.ProgramName), nil
		}
	}
	ok, err := cfg.safeBase(cfg.RunUserDir, "")
	if err != nil {
		return "", err
	}
	if ok {
		return filepath.Join(cfg.RunUserDir, preforklib.ProgramName), nil
	}
	if !filepath.IsAbs(cfg.Home) {
		return "", fmt.Errorf("home directory %q is not an absolute path: cannot place the run directory", cfg.Home)
	}
	host, _, _ := strings.Cut(cfg.Nodename, ".")
	if len(host) > 32 {
		host = host[:32] // as the C client
	}
	if host == "" {
		host = "localhost"
	}
	return filepath.Join(cfg.Home, "."+preforklib.ProgramName, host), nil
}

// safeBase reports whether base is a safe parent for the run directory. A
// candidate that does not exist is silently skipped; one that exists but is
// unsafe is skipped with a warning. what, when not empty, names the
// environment variable the candidate came from.
func (cfg RunDirConfig) safeBase(base, what string) (bool, error) {
	label := base
	if what != "" {
		label = what + "=" + base
	}
	warn := func(why string) (bool, error) {
		if cfg.Warn != nil {
			preforklib.Say(cfg.Warn, "warning: %s %s; not using it for the run directory", label, why)
		}
		return false, nil
	}
	if !filepath.IsAbs(base) {
		return warn("is not an absolute path")
	}
	fi, err := os.Lstat(base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrPermission) {
			return false, nil
		}
		return false, fmt.Errorf("check run directory candidate: %w", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return warn("is not a directory")
	case st == nil || int(st.Uid) != cfg.UID:
		return warn("is not owned by uid " + strconv.Itoa(cfg.UID))
	case fi.Mode().Perm()&0o077 != 0:
		return warn("is accessible by group or others")
	}
	return true, nil
}

// SocketPath returns the path of the socket of the server called ident.
func SocketPath(runDir, ident string) string { return filepath.Join(runDir, "s"+ident) }

// LockPath returns the path of the lock file of the server called ident.
func LockPath(runDir, ident string) string { return filepath.Join(runDir, "l"+ident) }
