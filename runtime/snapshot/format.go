package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The snapshot is one self-contained byte string:
//
//	header    magic, format version, guard (gopher-lua version and layout)
//	protos    every function prototype, children by index
//	objects   counts and kinds of tables, upvalue cells, userdata, functions
//	contents  upvalue cell values, then every table's metatable, array part
//	          and hash part in key order (deleted keys included)
//	roots     builtin metatables, the main chunk's closure, resume point,
//	          locals and open upvalues, the arg table
//
// Objects are referred to by index, so identity, sharing and cycles are
// kept. Integers are unsigned varints; numbers are IEEE-754 bits, so every
// value (-0.0, NaN payloads, 2^53+1) comes back exactly. The reader checks
// every length against what is left of the input, so corrupt or truncated
// bytes give an error, never a panic, a hang or a huge allocation.

// magic opens every snapshot.
const magic = "LUAPF\x00SNAPSHOT\n"

// formatVersion is bumped whenever the encoding changes.
const formatVersion = 1

// Value tags.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagNumber
	tagString
	tagTable
	tagFunction
	tagUserData
)

// Object kinds.
const (
	kindNew     byte = 0 // made by the script: rebuilt from the snapshot
	kindBuiltin byte = 1 // the executor's own library object, found by path
	// kindClosedFile is a file handle the script closed before
	// initialisation_complete: it is carried as a closed handle.
	kindClosedFile byte = 2
)

// Upvalue cell kinds.
const (
	cellClosed   byte = 0 // holds its own value
	cellOpenMain byte = 1 // aliases a register of the main chunk
)

// ErrCorrupt is wrapped by every error about bytes that are not a valid
// snapshot of this format.
var ErrCorrupt = errors.New("corrupt snapshot")

// writer appends the encoding of a snapshot.
type writer struct{ buf []byte }

func (w *writer) byte(b byte)   { w.buf = append(w.buf, b) }
func (w *writer) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *writer) int(v int)     { w.buf = binary.AppendVarint(w.buf, int64(v)) }
func (w *writer) u32(v uint32)  { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }
func (w *writer) float(v float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
}
func (w *writer) string(s string)     { w.uint(uint64(len(s))); w.buf = append(w.buf, s...) }
func (w *writer) count(n int)         { w.uint(uint64(n)) }
func (w *writer) ref(id int)          { w.uint(uint64(id)) }
func (w *writer) scalar(v lua.LValue) { w.value(v, nil) }

// value writes a Lua value; ids maps reference-typed values to their tag
// and object index (it is nil where only scalars may appear).
func (w *writer) value(v lua.LValue, ids func(lua.LValue) (byte, int)) {
	switch x := v.(type) {
	case *lua.LNilType:
		w.byte(tagNil)
	case lua.LBool:
		if x {
			w.byte(tagTrue)
		} else {
			w.byte(tagFalse)
		}
	case lua.LNumber:
		w.byte(tagNumber)
		w.float(float64(x))
	case lua.LString:
		w.byte(tagString)
		w.string(string(x))
	default:
		tag, id := ids(v)
		w.byte(tag)
		w.ref(id)
	}
}

// reader decodes a snapshot. Errors are sticky: the first one is kept in
// err, and every later read returns a zero value, so decoding code reads a
// run of fields and checks err once. Zero counts end loops at once.
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

func (r *reader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	if len(r.buf)-r.off < 4 {
		r.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint32(r.buf[r.off:])
	r.off += 4
	return v
}

func (r *reader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.buf)-r.off < 8 {
		r.fail("truncated number")
		return 0
	}
	v := binary.LittleEndian.Uint64(r.buf[r.off:])
	r.off += 8
	return math.Float64frombits(v)
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
		r.fail("count %d exceeds what is left of the snapshot", v)
		return 0
	}
	return int(v)
}

// bounded reads a non-negative integer that is not a count (a register, a
// program counter) and checks it against max.
func (r *reader) bounded(max int, what string) int {
	v := r.uint()
	if v > uint64(max) {
		r.fail("%s %d out of range (max %d)", what, v, max)
		return 0
	}
	return int(v)
}

func (r *reader) string() string {
	n := r.count(1)
	if r.err != nil {
		return ""
	}
	s := string(r.buf[r.off : r.off+n])
	r.off += n
	return s
}

// ref reads an object index and checks it against the number of objects.
func (r *reader) ref(limit int, what string) int {
	v := r.uint()
	if r.err == nil && v >= uint64(limit) {
		r.fail("%s index %d out of range (%d)", what, v, limit)
		return 0
	}
	return int(v)
}

// value reads a Lua value; objects resolves references (nil: only scalars
// are allowed). After an error it returns nil.
func (r *reader) value(objects func(tag byte) lua.LValue) lua.LValue {
	tag := r.byte()
	if r.err != nil {
		return lua.LNil
	}
	switch tag {
	case tagNil:
		return lua.LNil
	case tagFalse:
		return lua.LFalse
	case tagTrue:
		return lua.LTrue
	case tagNumber:
		return lua.LNumber(r.float())
	case tagString:
		return lua.LString(r.string())
	case tagTable, tagFunction, tagUserData:
		if objects != nil {
			return objects(tag)
		}
	}
	r.fail("unexpected value tag %d", tag)
	return lua.LNil
}

// scalar reads a value that must be nil, a boolean, a number or a string.
func (r *reader) scalar() lua.LValue { return r.value(nil) }

// done checks that the whole input was consumed and returns the first
// error met.
func (r *reader) done() error {
	if r.err == nil && r.off != len(r.buf) {
		r.fail("%d bytes of trailing data", len(r.buf)-r.off)
	}
	return r.err
}
