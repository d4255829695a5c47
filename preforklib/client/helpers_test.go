package client

import (
	"os"
	"path/filepath"
	"testing"

	"luapf/internal/testutil"
)

// preforkInterpLink returns luapf under the name prefork-interp, a symbolic
// link to the real binary in a directory of the test's own.
func preforkInterpLink(t *testing.T) string {
	t.Helper()
	link := filepath.Join(t.TempDir(), PreforkInterpName)
	if err := os.Symlink(testutil.Binary(t), link); err != nil {
		t.Fatal(err)
	}
	return link
}

// testdata returns the absolute path of a file in testdata.
func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
