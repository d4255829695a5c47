package rundir

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The ident names a server: invocations with the same ident share one. It
// is the hex SHA-256 of what should make servers differ, fed in exactly the
// order and layout the C client uses, so that the same invocation has the
// same ident under either client:
//
//	key 1
//	'u' sizeof(struct utsname) as a native size_t, 'u' the raw struct utsname
//	'.' st_dev of the cwd, 'i' st_ino of the cwd
//	'/' st_dev of "/",     'i' st_ino of "/"
//	each -E VAR and -G STRING in command-line order:
//	    -E: 'E' VAR NUL, then 'v' value NUL, or a single 0 byte if unset
//	    -G: 'G' STRING NUL
//	'i' interpreter NUL ('i' ARG NUL for each interpreter argument, which
//	    the C client cannot express)
//	'm' NAME NUL for each Lua module an embedding program registers in Go
//	    (runtime/host), sorted, which neither luapf itself nor the C client
//	    has, so that two programs never share a server
//	's' script NUL if there is one
//
// st_dev and st_ino are fed as native 64-bit integers, which is what dev_t
// and ino_t are on 64-bit Linux.

// utsnameFieldLen is the length of each of the six fields of the kernel's
// struct utsname (sysname, nodename, release, version, machine, domainname).
const utsnameFieldLen = 65

// UtsnameLen is sizeof(struct utsname) on Linux.
const UtsnameLen = 6 * utsnameFieldLen

// HostIdentity is what the ident covers about where a client runs: the
// kernel's utsname and the identity of the working directory and of "/".
type HostIdentity struct {
	Utsname          [UtsnameLen]byte // the raw struct utsname, NUL-padded fields
	CwdDev, CwdIno   uint64
	RootDev, RootIno uint64
}

// ReadHostIdentity returns the host identity of a client whose working
// directory is cwd.
func ReadHostIdentity(cwd string) (HostIdentity, error) {
	var h HostIdentity
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return h, fmt.Errorf("uname: %w", err)
	}
	for i, field := range [][utsnameFieldLen]byte{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname} {
		copy(h.Utsname[i*utsnameFieldLen:], field[:])
	}
	var err error
	if h.CwdDev, h.CwdIno, err = devIno(cwd); err != nil {
		return h, err
	}
	if h.RootDev, h.RootIno, err = devIno("/"); err != nil {
		return h, err
	}
	return h, nil
}

func devIno(path string) (dev, ino uint64, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("stat for the server ident: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("stat %s for the server ident: no device and inode numbers", path)
	}
	return uint64(st.Dev), uint64(st.Ino), nil
}

// IdentKind says which option an IdentItem came from.
type IdentKind byte

// The options that add to the ident, named by their key byte.
const (
	IdentEnv    IdentKind = 'E' // -E VAR
	IdentString IdentKind = 'G' // -G STRING
)

// IdentItem is one -E or -G option.
type IdentItem struct {
	Kind IdentKind
	// Text is the variable's name (-E) or the string (-G).
	Text string
	// Value and Set are the variable's value when the client started and
	// whether it was set at all (-E only).
	Value string
	Set   bool
}

// IdentSpec is what the ident covers about the invocation.
type IdentSpec struct {
	Items       []IdentItem // -E and -G, in command-line order
	Interpreter []string    // the interpreter and its arguments
	Modules     []string    // the Go modules the interpreter registers, sorted (runtime/host)
	Script      string
	HasScript   bool
}

// IdentSum returns the SHA-256 that the ident is the hex of.
func IdentSum(host HostIdentity, spec IdentSpec) [sha256.Size]byte {
	h := sha256.New()
	key := func(k byte) { h.Write([]byte{k}) }
	str := func(k byte, s string) {
		key(k)
		h.Write([]byte(s))
		key(0)
	}
	key(1)
	key('u')
	writeNative(h, uint64(UtsnameLen), strconv.IntSize/8)
	key('u')
	h.Write(host.Utsname[:])
	for _, d := range []struct {
		k        byte
		dev, ino uint64
	}{{'.', host.CwdDev, host.CwdIno}, {'/', host.RootDev, host.RootIno}} {
		key(d.k)
		writeNative(h, d.dev, 8)
		key('i')
		writeNative(h, d.ino, 8)
	}
	for _, it := range spec.Items {
		str(byte(it.Kind), it.Text)
		if it.Kind == IdentEnv {
			if it.Set {
				str('v', it.Value)
			} else {
				key(0)
			}
		}
	}
	for _, s := range spec.Interpreter {
		str('i', s)
	}
	for _, m := range spec.Modules {
		str('m', m)
	}
	if spec.HasScript {
		str('s', spec.Script)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// writeNative feeds v to h as a native-endian integer of size bytes (4 or 8).
func writeNative(h hash.Hash, v uint64, size int) {
	var b [8]byte
	if size == 4 {
		binary.NativeEndian.PutUint32(b[:], uint32(v))
	} else {
		binary.NativeEndian.PutUint64(b[:], v)
	}
	h.Write(b[:size])
}

// Bounds on the length of an ident. A socket path must fit in sun_path;
// like the C client, luapf keeps 12 bytes spare for the "/s" prefix and
// for future use, and refuses a run directory that leaves room for fewer
// than MinIdentLen hex digits.
const (
	sunPathLen     = 108
	identSpare     = 12
	MinIdentLen    = 33
	MaxHexIdentLen = 2 * sha256.Size
)

// MaxIdentLen returns the longest ident whose socket path in runDir fits.
func MaxIdentLen(runDir string) int {
	return sunPathLen - len(runDir) - identSpare
}

// ChooseIdent returns the ident for a server in runDir: fixed when the user
// gave one (-g), else the hex of sum cut to what fits (at most 64 digits).
func ChooseIdent(runDir, fixed string, sum [sha256.Size]byte) (string, error) {
	max := MaxIdentLen(runDir)
	if fixed != "" {
		if strings.ContainsAny(fixed, "/\x00") {
			return "", fmt.Errorf("ident %q contains '/' or NUL", fixed)
		}
		if len(fixed) > max {
			return "", fmt.Errorf("ident %q is too long for a socket path in %s (at most %d characters)", fixed, runDir, max)
		}
		return fixed, nil
	}
	if max < MinIdentLen {
		return "", fmt.Errorf("run directory %s leaves only %d characters of a socket path for the ident, fewer than %d", runDir, max, MinIdentLen)
	}
	return hex.EncodeToString(sum[:])[:min(max, MaxHexIdentLen)], nil
}
