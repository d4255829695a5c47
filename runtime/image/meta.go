package image

import (
	"encoding/binary"
	"errors"
	"math"

	"luapf/runtime/lua"
)

// The metadata's encoding: each field of Meta (and of its Options) in
// declaration order, strings and lists as a uvarint length and then their
// bytes or items, integers as varints, floats as their 8 IEEE bytes, bools
// as one byte. Strings keep every byte (paths and environment values need
// not be UTF-8). An empty list decodes as nil. It is written by hand,
// rather than with encoding/gob, because every luapf process (the client
// too) would otherwise pay for gob's package initialisation as it starts.
// TestMetaCoversEveryField fails when a field is added to Meta or Options
// and not here.

// encodeMeta appends m's encoding to b.
func encodeMeta(b []byte, m *Meta) []byte {
	var w metaWriter
	w.b = b
	w.string(m.Script)
	o := &m.Options
	w.int(int64(o.MaxServers))
	w.float(o.IdleTimeout)
	w.bool(o.AutoreloadInc)
	w.strings(o.AutoreloadExtra)
	w.int(int64(o.MaxErrors))
	w.string(o.LogFacility)
	w.int(int64(o.Pool))
	w.float(o.PoolIdleTimeout)
	w.strings(m.Watch)
	w.int(m.Reference)
	w.bool(m.InitialLuapfClient)
	w.strings(m.EnvNames)
	w.string(m.EnvDigest)
	w.uint(uint64(len(m.InitEnv)))
	for _, s := range m.InitEnv {
		w.string(s.Name)
		w.string(s.Value)
	}
	w.strings(m.WatchAbsent)
	return w.b
}

// errMetaTruncated is what decodeMeta wraps when the bytes run out or a
// length or number does not fit.
var errMetaTruncated = errors.New("truncated or corrupt metadata")

// decodeMeta decodes what encodeMeta wrote, all of data.
func decodeMeta(data []byte) (Meta, error) {
	r := metaReader{b: data}
	var m Meta
	m.Script = r.string()
	o := &m.Options
	o.MaxServers = r.intOf()
	o.IdleTimeout = r.float()
	o.AutoreloadInc = r.bool()
	o.AutoreloadExtra = r.strings()
	o.MaxErrors = r.intOf()
	o.LogFacility = r.string()
	o.Pool = r.intOf()
	o.PoolIdleTimeout = r.float()
	m.Watch = r.strings()
	m.Reference = r.int()
	m.InitialLuapfClient = r.bool()
	m.EnvNames = r.strings()
	m.EnvDigest = r.string()
	if n := r.count(2); n > 0 {
		m.InitEnv = make([]lua.EnvSetting, n)
		for i := range m.InitEnv {
			m.InitEnv[i] = lua.EnvSetting{Name: r.string(), Value: r.string()}
		}
	}
	m.WatchAbsent = r.strings()
	if r.bad || len(r.b) != 0 {
		return Meta{}, errMetaTruncated
	}
	return m, nil
}

type metaWriter struct{ b []byte }

func (w *metaWriter) uint(v uint64)   { w.b = binary.AppendUvarint(w.b, v) }
func (w *metaWriter) int(v int64)     { w.b = binary.AppendVarint(w.b, v) }
func (w *metaWriter) string(s string) { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *metaWriter) float(f float64) { w.b = binary.BigEndian.AppendUint64(w.b, math.Float64bits(f)) }
func (w *metaWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *metaWriter) strings(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.string(s)
	}
}

// metaReader reads metadata; after the first problem it returns zero
// values and bad is set.
type metaReader struct {
	b   []byte
	bad bool
}

func (r *metaReader) uint() uint64 { return readVarint(r, binary.Uvarint) }

func (r *metaReader) int() int64 { return readVarint(r, binary.Varint) }

// readVarint reads one varint with decode (binary.Uvarint or Varint).
func readVarint[T uint64 | int64](r *metaReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b)
	if n <= 0 || r.bad {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// intOf reads an int that must fit Go's int.
func (r *metaReader) intOf() int {
	v := r.int()
	if int64(int(v)) != v {
		r.bad = true
		return 0
	}
	return int(v)
}

func (r *metaReader) take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *metaReader) string() string { return string(r.take(r.uint())) }

// float reads a float; NaN, which no option takes, is refused.
func (r *metaReader) float() float64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(b))
	if math.IsNaN(f) {
		r.bad = true
		return 0
	}
	return f
}

func (r *metaReader) bool() bool {
	b := r.take(1)
	if b != nil && b[0] > 1 {
		r.bad = true
	}
	return b != nil && b[0] == 1
}

// count reads a list's length; each item takes at least minBytes, so a
// length the rest of the data cannot hold is refused before any
// allocation.
func (r *metaReader) count(minBytes uint64) uint64 {
	n := r.uint()
	if r.bad || n > uint64(len(r.b))/minBytes {
		r.bad = true
		return 0
	}
	return n
}

func (r *metaReader) strings() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.string()
	}
	return ss
}
