package snapshot

import (
	"encoding/binary"
	"fmt"
	"math"
)

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
