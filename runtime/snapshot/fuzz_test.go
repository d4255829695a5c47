package snapshot

import (
	"errors"
	"testing"
)

// corpusSnapshots captures every corpus script in-process.
func corpusSnapshots(t testing.TB) [][]byte {
	var out [][]byte
	for _, script := range corpus(t) {
		snap, err := captureFile(t, script)
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		out = append(out, snap)
	}
	return out
}

// FuzzRestore feeds Restore mutated snapshots: it must return an error or
// a continuation, never panic or hang.
func FuzzRestore(f *testing.F) {
	for _, snap := range corpusSnapshots(f) {
		f.Add(snap)
	}
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		defer L.Close()
		_, _ = Restore(L, data)
	})
}

// TestRestoreTruncated checks that every proper prefix of a real snapshot is
// rejected as corrupt.
func TestRestoreTruncated(t *testing.T) {
	snaps := corpusSnapshots(t)
	snap := snaps[0]
	for n := 0; n < len(snap); n += 1 + n/64 {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		_, err := Restore(L, snap[:n])
		L.Close()
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d/%d bytes: got %v, want ErrCorrupt", n, len(snap), err)
		}
	}
}

// TestRestoreRejectsForeign checks the version guards.
func TestRestoreRejectsForeign(t *testing.T) {
	snap := corpusSnapshots(t)[0]
	cases := map[string][]byte{
		"bad magic":     append([]byte("NOTLUAPF"), snap[8:]...),
		"other version": append(append([]byte(magic), 99), snap[len(magic)+1:]...),
		"trailing data": append(append([]byte(nil), snap...), 0),
	}
	for name, data := range cases {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		_, err := Restore(L, data)
		L.Close()
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}
