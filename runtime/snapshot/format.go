package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The snapshot is one self-contained byte string, laid out so that an
// executor can map it and decode any one object without reading the rest
// (format 2):
//
//	header     magic, format version (uvarint), guard (uvarint length and
//	           bytes: the gopher-lua patch level and a fingerprint of the
//	           structures restore depends on), then the directory: for each
//	           section in the order below, its offset and length in bytes
//	           (u32 each)
//	strings    the string pool: each string is a uvarint length and its
//	           bytes, named by its offset in the section; restored strings
//	           point into it instead of being copied
//	numbers    u64 each: numbers whose bits a value word cannot hold inline
//	protos     u32 each: where each prototype's encoding starts in protodata
//	protodata  the prototypes, varint-encoded (proto.go); a prototype's
//	           children come before it
//	tables     a fixed-width record per table (tableRecordSize bytes):
//	           kind, flags, metatable, array length, hash entry count,
//	           border (what #t gives), contents offset, string-key index
//	           offset, library path
//	closures   a fixed-width record per function: kind, upvalue count,
//	           prototype (or library path), environment, offset of its
//	           upvalue cell list
//	cells      a fixed-width record per upvalue cell: closed with a value,
//	           or open on a register of the main chunk
//	userdata   a fixed-width record per userdata: a library object's path
//	           or a closed file
//	contents   each table's array part (a value word per element, trailing
//	           nils included) and hash part (a key word and a value word
//	           per entry, in gopher-lua's key order, deleted keys included),
//	           string-key indexes, closures' upvalue cell lists (u32 each)
//	builtins   the library tables and functions among the records (tag and
//	           id), which restore resolves first
//	roots      the type metatables, the main chunk's closure, the resume
//	           point, the main chunk's locals, the arg table, and the cells
//	           open on the main chunk's registers
//
// Integers in records are little-endian; offsets inside a section are
// relative to its start; object ids index the record sections. A value is
// one 64-bit word: a number's IEEE-754 bits when they are below wordTagged,
// else wordTagged | tag<<44 | payload (see the tag constants); a string's
// payload holds its offset in the pool and, up to 4094 bytes, its length,
// so that restoring a string value reads nothing of the pool. So every
// value comes back exactly (-0.0, 2^53+1, NaN payloads: a number whose bits
// collide with the tagged range is kept in the numbers section).
//
// A large table's string keys have an index in the contents section: a
// power-of-two number of u32 slots, each 0 or 1 + the number of a hash
// entry, probed linearly from the key's FNV-1a hash, so that one key is
// found without loading the table.
//
// Validate checks every offset, id and word once (the server does, before
// it serves); restoring trusts what Validate accepted.

// magic opens every snapshot.
const magic = "LUAPF\x00SNAPSHOT\n"

// formatVersion is bumped whenever the encoding changes.
const formatVersion = 2

// Sections, in the order they follow the header.
const (
	secStrings = iota
	secNumbers
	secProtos
	secProtoData
	secTables
	secClosures
	secCells
	secUserData
	secContents
	secBuiltins
	secRoots
	numSections
)

// Sizes of the fixed-width records.
const (
	tableRecordSize   = 32
	closureRecordSize = 16
	cellRecordSize    = 12
	udataRecordSize   = 8
	builtinRecordSize = 8
	protoOffsetSize   = 4
	numberSize        = 8
	wordSize          = 8
	entrySize         = 2 * wordSize
)

// Field offsets in a table record.
const (
	tabKind     = 0  // u8: kindNew or kindBuiltin
	tabFlags    = 1  // u8: tableIndexed
	tabMeta     = 4  // u32: 0, or metatable id + 1
	tabArrayLen = 8  // u32
	tabHashLen  = 12 // u32: hash entries, deleted keys included
	tabBorder   = 16 // u32: what Len gives
	tabContents = 20 // u32: offset in the contents section
	tabIndex    = 24 // u32: offset of the string-key index, if tableIndexed
	tabPath     = 28 // u32: library path (string offset), if kindBuiltin
)

// tableIndexed flags a table whose string keys have an index.
const tableIndexed = 1

// Field offsets in a closure record.
const (
	cloKind     = 0  // u8: kindNew or kindBuiltin
	cloUpvalues = 2  // u16: number of upvalues
	cloProto    = 4  // u32: prototype id (kindNew) or library path (kindBuiltin)
	cloEnv      = 8  // u32: 0, or environment table id + 1
	cloCells    = 12 // u32: offset of the upvalue cell ids in the contents section
)

// Field offsets in a cell record.
const (
	cellKind     = 0 // u8: cellClosed or cellOpenMain
	cellRegister = 1 // u8: the main chunk's register, if cellOpenMain
	cellValue    = 4 // u64 word: the value, if cellClosed
)

// Field offsets in a userdata and a builtins record.
const (
	udKind      = 0 // u8: kindBuiltin or kindClosedFile
	udPath      = 4 // u32: library path, if kindBuiltin
	builtinTag  = 0 // u8: tagTable or tagFunction
	builtinID   = 4 // u32
	maxUpvalues = math.MaxUint16
)

// Value words. A word below wordTagged is a number; a tagged word is
// wordTagged | tag<<tagShift | payload, where a string's payload is its
// offset in the pool | its length<<strLenShift (strLenLong for a string of
// strLenLong bytes or more, whose length is read from the pool).
const (
	wordTagged  uint64 = 0xFFF8 << 48
	tagShift           = 44
	strLenShift        = 32
	strLenLong         = 1<<(tagShift-strLenShift) - 1
)

// Value tags.
const (
	tagNil uint64 = iota
	tagFalse
	tagTrue
	tagString   // payload: offset in the strings section
	tagTable    // payload: table id
	tagFunction // payload: closure id
	tagUserData // payload: userdata id
	tagNumber   // payload: index in the numbers section
	tagDeleted  // only as a hash entry's value: the key was deleted
	numTags
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

// numTypeMetatables is how many type metatables the roots hold: one per
// typeSamples value.
const numTypeMetatables = 6

// indexMinKeys is the number of string keys from which a table gets an
// index: smaller tables load faster than an index would save.
const indexMinKeys = 32

// ErrCorrupt is wrapped by every error about bytes that are not a valid
// snapshot.
var ErrCorrupt = errors.New("corrupt snapshot")

// ErrVersion is wrapped by the error about a snapshot written by another
// version of luapf, which this one cannot read.
var ErrVersion = errors.New("snapshot from another luapf")

func tagged(tag uint64, payload uint32) uint64 { return wordTagged | tag<<tagShift | uint64(payload) }

// stringWord is the word of a string of n bytes at off in the pool.
func stringWord(off uint32, n int) uint64 {
	return tagged(tagString, off) | uint64(min(n, strLenLong))<<strLenShift
}

// wordStrLen is the length field of a string's word.
func wordStrLen(w uint64) int { return int(w>>strLenShift) & strLenLong }

// uvarintLen is the length of n's uvarint encoding, for n < 1<<14.
func uvarintLen(n int) int {
	if n < 1<<7 {
		return 1
	}
	return 2
}

// wordTag returns a tagged word's tag (a number's words have none).
func wordTag(w uint64) uint64 { return (w - wordTagged) >> tagShift }

func wordPayload(w uint64) uint32 { return uint32(w) }

func isNumberWord(w uint64) bool { return w < wordTagged }

// keyHash is the hash the string-key index is probed with (FNV-1a, 32 bits).
func keyHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

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

// wordStr returns the string a (valid) string word names, without
// reading the pool when the word holds its length.
func (l *layout) wordStr(w uint64) string {
	off, n := wordPayload(w), wordStrLen(w)
	if n == strLenLong {
		return l.str(off)
	}
	start := int(off) + uvarintLen(n)
	return unsafeString(l.sec[secStrings][start : start+n])
}

// checkedWordStr checks a string word against the pool and returns its
// string.
func (l *layout) checkedWordStr(w uint64) (string, bool) {
	s, ok := l.checkedStr(uint64(wordPayload(w)))
	if n := wordStrLen(w); !ok || (n < strLenLong && len(s) != n) || (n == strLenLong && len(s) < strLenLong) {
		return "", false
	}
	return s, true
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
	case w == tagged(tagNumber, wordPayload(w)) && int(wordPayload(w)) < l.count(secNumbers, numberSize):
		return l.number(w), true
	case wordTag(w) == tagString:
		s, ok := l.checkedWordStr(w)
		return lua.LString(s), ok
	}
	return lua.LNil, false
}
