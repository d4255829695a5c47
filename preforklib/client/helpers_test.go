package client

import (
	"os"
	"os/exec"
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

// requirePerlPeer fails the test when the Perl server library is missing:
// the interop tests are the proof of compatibility and must not be skipped.
func requirePerlPeer(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("perl", "-MProc::Prefork::Interp", "-MIO::FDPass", "-e1").CombinedOutput(); err != nil {
		t.Fatalf("the Perl peer (Proc::Prefork::Interp, IO::FDPass) is not installed; run .ci/install-peers.sh: %v\n%s", err, out)
	}
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
