package testutil

import (
	"fmt"
	"strings"
	"testing"
)

// fatalRecorder stands in for a test so that RequirePeer's failure can be
// seen without failing this test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
}

// TestRequirePeerNamesTheInstaller: with nothing on PATH no peer works,
// and the failure names the peer, its Debian packages and the command
// that installs it.
func TestRequirePeerNamesTheInstaller(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for peer, info := range peerInfo {
		if peer == CClient {
			continue // an absolute path: PATH does not hide it
		}
		r := &fatalRecorder{TB: t}
		RequirePeer(r, peer)
		for _, want := range []string{info.what, info.packages, InstallPeersCommand(), "make check run as root"} {
			if !strings.Contains(r.msg, want) {
				t.Errorf("peer %d: message %q does not say %q", peer, r.msg, want)
			}
		}
	}
	if !strings.HasSuffix(InstallPeersCommand(), "/.ci/install-peers.sh") {
		t.Errorf("install command %q", InstallPeersCommand())
	}
}
