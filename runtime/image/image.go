package image

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"luapf/runtime/lua"

	"golang.org/x/sys/unix"
)

// Image is what setup hands the server and every executor: the captured Lua
// state and what the server needs to know about the script. It lives in a
// sealed memfd, so that no process can change it after setup wrote it.
type Image struct {
	Meta  Meta
	State []byte // snapshot.Capture's bytes
}

// Meta describes the script behind a snapshot.
type Meta struct {
	Script  string      // the script path as the client gave it
	Options lua.Options // from initialisation_complete
	Watch   []string    // files whose change makes the server reload
	// Reference is the mtime of the socket the client bound before
	// starting setup (PREFORK_INTERP), in Unix nanoseconds: a watched
	// file newer than this makes the server reload.
	Reference int64
	// InitialLuapfClient says the client of the initial call is a luapf
	// client (PREFORK_INTERP's extra word), which may be offered luapf's
	// protocol extensions.
	InitialLuapfClient bool

	// What the initialisation depends on besides its files in Watch
	// (lua.Dependencies):
	//
	// EnvNames are the environment variables it read with os.getenv
	// (sorted; LUA_PATH always among them), and EnvDigest the
	// preforklib.EnvDigest of the values it saw. The server serves only
	// luapf clients whose values give the same digest. --status shows
	// the names (values are not kept: they may be secrets).
	EnvNames  []string
	EnvDigest string
	// InitEnv are its os.setenv calls, in order; every call's
	// environment gets them on top of the caller's.
	InitEnv []lua.EnvSetting
	// WatchAbsent are files it tried to read that did not exist: one
	// appearing makes the server reload (with autoreload_inc).
	WatchAbsent []string
}

// imageMagic opens an image; the version follows it.
const (
	imageMagic   = "LUAPF\x00IMAGE\n"
	imageVersion = 3
)

// encode lays out an image: magic, version, metadata length and metadata
// (meta.go), then the state bytes to the end.
func (im *Image) encode() ([]byte, error) {
	meta := encodeMeta(nil, &im.Meta)
	out := make([]byte, 0, len(imageMagic)+16+len(meta)+len(im.State))
	out = append(out, imageMagic...)
	out = binary.AppendUvarint(out, imageVersion)
	out = binary.AppendUvarint(out, uint64(len(meta)))
	out = append(out, meta...)
	return append(out, im.State...), nil
}

// errBadImage is wrapped by every error about image bytes.
var errBadImage = errors.New("not a luapf image of this version")

// decodeImage parses an image. State aliases data.
func decodeImage(data []byte) (*Image, error) {
	if len(data) < len(imageMagic) || string(data[:len(imageMagic)]) != imageMagic {
		return nil, fmt.Errorf("%w: bad magic", errBadImage)
	}
	rest := data[len(imageMagic):]
	version, n := binary.Uvarint(rest)
	if n <= 0 || version != imageVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", errBadImage, version, imageVersion)
	}
	rest = rest[n:]
	metaLen, n := binary.Uvarint(rest)
	if n <= 0 || metaLen > uint64(len(rest)-n) {
		return nil, fmt.Errorf("%w: bad metadata length", errBadImage)
	}
	rest = rest[n:]
	meta, err := decodeMeta(rest[:metaLen])
	if err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", errBadImage, err)
	}
	return &Image{Meta: meta, State: rest[metaLen:]}, nil
}

// WriteSealed writes im into a new memfd and seals it against any
// change, so the server and executors share one read-only copy.
func WriteSealed(im *Image) (*os.File, error) {
	data, err := im.encode()
	if err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("luapf-image", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("create memfd for the snapshot: %w", err)
	}
	f := os.NewFile(uintptr(fd), "luapf-image")
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write snapshot memfd: %w", err)
	}
	seals := unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal snapshot memfd: %w", err)
	}
	return f, nil
}

// Map maps an inherited image read-only and decodes it. The mapping
// lives as long as the process.
func Map(f *os.File) (*Image, error) {
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil {
		return nil, fmt.Errorf("read seals of %s: %w", f.Name(), err)
	}
	if seals&unix.F_SEAL_WRITE == 0 {
		return nil, fmt.Errorf("%s is not sealed read-only; refusing to run from it", f.Name())
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("%s is empty", f.Name())
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	im, err := decodeImage(data)
	if err != nil {
		unix.Munmap(data)
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return im, nil
}
