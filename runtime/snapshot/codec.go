package snapshot

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// The bytes of a snapshot: a reader for its varint-encoded parts and
// fixed-width integers, a writer for its sections, and the string pool.

// reader decodes the varint-encoded parts of a snapshot (the header and
// the prototypes). Errors are sticky: the first one is kept in err, and
// every later read returns a zero value, so decoding code reads a run of
// fields and checks err once. Zero counts end loops at once.
type reader struct {
	buf []byte
	off int
	err error
}

// fail records a decoding error (the first one wins).
func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", ErrCorrupt, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.buf) {
		r.fail("truncated")
		return 0
	}
	b := r.buf[r.off]
	r.off++
	return b
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		r.fail("bad or truncated integer")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) int() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf[r.off:])
	if n <= 0 || v < math.MinInt32 || v > math.MaxInt32 {
		r.fail("bad or truncated integer")
		return 0
	}
	r.off += n
	return int(v)
}

// fixed returns the next n bytes, or nil once an error is met.
func (r *reader) fixed(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.buf)-r.off < n {
		r.fail("truncated")
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) u32() uint32 {
	if b := r.fixed(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.fixed(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// count reads a length and checks that at least minBytesEach bytes per
// element are left, so a corrupt count cannot make the decoder allocate or
// loop without bound.
func (r *reader) count(minBytesEach int) int {
	v := r.uint()
	if minBytesEach < 1 {
		minBytesEach = 1
	}
	if v > uint64(len(r.buf)-r.off)/uint64(minBytesEach) {
		r.fail("count %d exceeds what is left", v)
		return 0
	}
	return int(v)
}

// bounded reads a non-negative integer that is not a count (an id, a
// register) and checks it is below limit.
func (r *reader) bounded(limit int, what string) int {
	v := r.uint()
	if r.err == nil && v >= uint64(limit) {
		r.fail("%s %d out of range (%d)", what, v, limit)
		return 0
	}
	return int(v)
}

// string reads a uvarint length and that many bytes, copied.
func (r *reader) string() string {
	n := r.count(1)
	if r.err != nil {
		return ""
	}
	s := string(r.buf[r.off : r.off+n])
	r.off += n
	return s
}

// unsafeString returns b's bytes as a string without copying them. The
// snapshot's bytes never change once written (an executor maps them from
// a sealed memfd; Restore requires the same of its caller), so strings that
// point into them are immutable as Go requires.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// writer appends the encoding of one section.
type writer struct{ buf []byte }

func (w *writer) byte(b byte)     { w.buf = append(w.buf, b) }
func (w *writer) uint(v uint64)   { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *writer) int(v int)       { w.buf = binary.AppendVarint(w.buf, int64(v)) }
func (w *writer) u16(v uint16)    { w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }
func (w *writer) u32(v uint32)    { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }
func (w *writer) u64(v uint64)    { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }
func (w *writer) string(s string) { w.uint(uint64(len(s))); w.buf = append(w.buf, s...) }

// offset is where the next byte goes, as a section offset.
func (w *writer) offset() (uint32, error) {
	if len(w.buf) > math.MaxUint32 {
		return 0, errTooLarge
	}
	return uint32(len(w.buf)), nil
}

// errTooLarge reports a state whose snapshot would not fit the format's
// 32-bit offsets.
var errTooLarge = fmt.Errorf("capture: the state is too large to carry: its snapshot would exceed 4 GiB")

// stringPool is the strings section: each distinct string once.
type stringPool struct {
	w    writer
	offs map[string]uint32
	err  error
}

func newStringPool() *stringPool { return &stringPool{offs: map[string]uint32{}} }

// add returns the offset of s in the pool, adding it if new.
func (p *stringPool) add(s string) uint32 {
	if off, ok := p.offs[s]; ok {
		return off
	}
	off, err := p.w.offset()
	if err != nil {
		p.err = err
		return 0
	}
	p.w.string(s)
	p.offs[s] = off
	return off
}
