package snapshot

// memo remembers the object made for each id of one kind, so that an id
// always gives the same object (identity, sharing and cycles hold). It is
// a sparse array in chunks allocated on first use: an executor that
// touches a few objects of a million-object state holds a few chunks, one
// that touches them all holds a pointer per object, as a flat array would.
type memo[T any] struct {
	chunks []*[memoChunk]*T
}

const (
	memoChunkBits = 8
	memoChunk     = 1 << memoChunkBits
)

func newMemo[T any](n int) memo[T] {
	return memo[T]{chunks: make([]*[memoChunk]*T, (n+memoChunk-1)/memoChunk)}
}

// get returns the object of id, or nil.
func (m *memo[T]) get(id uint32) *T {
	c := m.chunks[id>>memoChunkBits]
	if c == nil {
		return nil
	}
	return c[id&(memoChunk-1)]
}

// put records the object of id.
func (m *memo[T]) put(id uint32, v *T) {
	c := m.chunks[id>>memoChunkBits]
	if c == nil {
		c = new([memoChunk]*T)
		m.chunks[id>>memoChunkBits] = c
	}
	c[id&(memoChunk-1)] = v
}
