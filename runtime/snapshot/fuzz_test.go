package snapshot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// maxFuzzSeed bounds the snapshots FuzzRestore starts from.
const maxFuzzSeed = 64 << 10

// FuzzRestore feeds mutated snapshots to Validate, and restores what it
// accepts eagerly, trusting it as an executor does, so that every object
// is made and every table loaded: Validate must return an error, or
// Restore must succeed or fail cleanly (never with an internal error),
// never panic or hang.
func FuzzRestore(f *testing.F) {
	for _, snap := range corpusSnapshots(f) {
		// Large seeds (the table matrix) make every mutation and every
		// minimisation slow; the small ones cover the same structures.
		if len(snap) <= maxFuzzSeed {
			f.Add(snap)
		}
	}
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if Validate(data) != nil {
			return
		}
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		defer L.Close()
		// Errors may remain (a library path this state lacks), but not
		// one that Validate should have found.
		var bug errInternal
		if _, err := Restore(L, data, RestoreOptions{Validated: true, Eager: true}); errors.As(err, &bug) {
			t.Fatalf("a validated snapshot failed to restore: %v", err)
		}
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
		_, err := Restore(L, snap[:n], RestoreOptions{})
		L.Close()
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d/%d bytes: got %v, want ErrCorrupt", n, len(snap), err)
		}
	}
}

// TestRestoreRejectsForeign checks the version guards: a snapshot of
// another format or gopher-lua patch level is refused with a message that
// says what to do.
func TestRestoreRejectsForeign(t *testing.T) {
	snap := corpusSnapshots(t)[0]
	format1, err := os.ReadFile(filepath.Join("testdata", "format1.snap"))
	if err != nil {
		t.Fatal(err)
	}
	guard := layoutFingerprint()
	other := []byte(guard)
	other[len(other)-1] ^= 1 // same length, another fingerprint
	otherGuard := strings.Replace(string(snap), guard, string(other), 1)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"bad magic", append([]byte("NOTLUAPF"), snap[8:]...), ErrCorrupt},
		{"format 1 (a luapf before lazy restore)", format1, ErrVersion},
		{"other version", append(append([]byte(magic), 99), snap[len(magic)+1:]...), ErrVersion},
		{"other gopher-lua patch level", []byte(otherGuard), ErrVersion},
		{"trailing data", append(append([]byte(nil), snap...), 0), ErrCorrupt},
	}
	for _, c := range cases {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		_, err := Restore(L, c.data, RestoreOptions{})
		L.Close()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		if c.want == ErrVersion && !strings.Contains(fmt.Sprint(err), "luapf -f") {
			t.Errorf("%s: the message does not say to restart the server with luapf -f: %v", c.name, err)
		}
		if verr := Validate(c.data); !errors.Is(verr, c.want) {
			t.Errorf("%s: Validate says %v, want %v", c.name, verr, c.want)
		}
	}
}
