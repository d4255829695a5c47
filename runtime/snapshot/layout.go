package snapshot

import (
	"encoding/binary"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// layout is a snapshot's header read: each section as a slice of the
// snapshot's bytes.
type layout struct {
	sec [numSections][]byte
}

func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
func le64(b []byte, off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }

// count is how many records of size a section holds.
func (l *layout) count(sec, size int) int { return len(l.sec[sec]) / size }

// record returns the bytes of record id of a fixed-width section.
func (l *layout) record(sec, size int, id uint32) []byte {
	off := int(id) * size
	return l.sec[sec][off : off+size]
}

// str returns the string at off in the pool, without copying: it points
// into the snapshot's bytes.
func (l *layout) str(off uint32) string {
	pool := l.sec[secStrings]
	n, k := binary.Uvarint(pool[off:])
	start := int(off) + k
	return unsafeString(pool[start : start+int(n)])
}

// readHeader checks the magic, version and guard of data and reads the
// section directory. It checks that the sections lie inside data, in
// order and without gaps; their contents are Validate's business.
func readHeader(data []byte) (*layout, error) {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not a luapf snapshot (bad magic)", ErrCorrupt)
	}
	r := &reader{buf: data, off: len(magic)}
	version := r.uint()
	if r.err != nil {
		return nil, r.err
	}
	if version != formatVersion {
		return nil, fmt.Errorf("%w: the snapshot is format %d, and this luapf reads format %d: it was made by another luapf; "+
			"restart the script's server (luapf -f SCRIPT) so that this luapf makes a new one", ErrVersion, version, formatVersion)
	}
	guard := r.string()
	if r.err != nil {
		return nil, r.err
	}
	if want := layoutFingerprint(); guard != want {
		return nil, fmt.Errorf("%w: the snapshot was made with gopher-lua %s, and this luapf has %s; "+
			"restart the script's server (luapf -f SCRIPT) so that this luapf makes a new one", ErrVersion, guard, want)
	}
	l := &layout{}
	next := r.off + numSections*8
	for i := range l.sec {
		off, n := int(r.u32()), int(r.u32())
		if r.err != nil {
			return nil, r.err
		}
		if off != next || n > len(data)-off {
			return nil, fmt.Errorf("%w: section %d at %d+%d, want it at %d within %d bytes", ErrCorrupt, i, off, n, next, len(data))
		}
		l.sec[i] = data[off : off+n : off+n]
		next = off + n
	}
	if next != len(data) {
		return nil, fmt.Errorf("%w: %d bytes of trailing data", ErrCorrupt, len(data)-next)
	}
	return l, nil
}

// checkedStr returns the string at off in the pool, or false when off does
// not name a string that lies inside the pool.
func (l *layout) checkedStr(off uint64) (string, bool) {
	pool := l.sec[secStrings]
	if off >= uint64(len(pool)) {
		return "", false
	}
	n, k := binary.Uvarint(pool[off:])
	if k <= 0 || n > uint64(len(pool))-off-uint64(k) {
		return "", false
	}
	return l.str(uint32(off)), true
}

// number returns the number a word holds, inline or boxed.
func (l *layout) number(w uint64) lua.LNumber {
	if isNumberWord(w) {
		return lua.LNumber(math.Float64frombits(w))
	}
	return lua.LNumber(math.Float64frombits(le64(l.sec[secNumbers], int(wordPayload(w))*numberSize)))
}

// constant decodes a prototype constant's word, which must be a valid
// number or string.
func (l *layout) constant(w uint64) (lua.LValue, bool) {
	switch {
	case isNumberWord(w):
		return l.number(w), true
	case wordTag(w) == tagNumber && int(wordPayload(w)) < l.count(secNumbers, numberSize):
		return l.number(w), true
	case wordTag(w) == tagString:
		s, ok := l.checkedStr(uint64(wordPayload(w)))
		return lua.LString(s), ok
	}
	return lua.LNil, false
}
