package testutil

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A Peer is a program from a Debian package that luapf's tests run
// against or with: the independent implementations luapf must stay
// compatible with, the reference Lua interpreters, and the tools some
// tests drive. .ci/install-peers.sh installs them all; `make check` run as
// root runs it first.
type Peer int

// The peers tests need.
const (
	PerlServer   Peer = iota // perl with Proc::Prefork::Interp and IO::FDPass: the Perl server library
	CClient                  // /usr/bin/prefork-interp, chiark's C client, able to start (libuv1)
	Lua51                    // lua5.1, the reference for how Lua behaves
	Lua54                    // lua5.4
	Tmux                     // tmux, which drives a terminal for the job control tests
	Man                      // man-db's man and groff, which render the man page
	LuaLibraries             // Debian's pure-Lua libraries the conformance cases use
)

// peerInfo says how to tell that a peer works and where it comes from.
var peerInfo = map[Peer]struct {
	what     string
	packages string   // the Debian packages it comes from
	check    []string // a command that succeeds only when it works
}{
	PerlServer: {"the Perl server library Proc::Prefork::Interp with IO::FDPass", "chiark-scripts libio-fdpass-perl",
		[]string{"perl", "-MProc::Prefork::Interp", "-MIO::FDPass", "-e1"}},
	CClient: {"chiark's C client /usr/bin/prefork-interp", "chiark-utils-bin libuv1",
		[]string{"/usr/bin/prefork-interp", "--help"}},
	Lua51: {"lua5.1", "lua5.1", []string{"lua5.1", "-e", ""}},
	Lua54: {"lua5.4", "lua5.4", []string{"lua5.4", "-e", ""}},
	Tmux:  {"tmux", "tmux", []string{"tmux", "-V"}},
	Man:   {"man and groff", "man-db groff-base", []string{"sh", "-c", "command -v man && command -v groff"}},
	LuaLibraries: {"Debian's pure-Lua libraries penlight, dkjson, argparse, inspect and inifile for lua5.1",
		"lua-penlight lua-dkjson lua-argparse lua-inspect lua-inifile",
		[]string{"lua5.1", "-e", `for _, m in ipairs{"pl.List", "dkjson", "argparse", "inspect", "inifile"} do require(m) end`}},
}

// InstallPeersCommand is the command that installs every peer, as a
// message can show it.
func InstallPeersCommand() string {
	return "sudo sh " + filepath.Join(RepoRoot(), ".ci", "install-peers.sh")
}

// RequirePeer fails the test unless each of peers works, saying which is
// missing and the command that installs it. The tests that need a peer
// are the proof of compatibility: they fail rather than skip.
func RequirePeer(t testing.TB, peers ...Peer) {
	t.Helper()
	for _, p := range peers {
		if err := CheckPeer(p); err != nil {
			t.Fatalf("%v; install the test peers with: %s (make check run as root does it)", err, InstallPeersCommand())
		}
	}
}

// CheckPeer returns an error saying what is missing unless peer works.
func CheckPeer(peer Peer) error {
	info, ok := peerInfo[peer]
	if !ok {
		return fmt.Errorf("unknown peer %d", peer)
	}
	out, err := exec.Command(info.check[0], info.check[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("this test needs %s (Debian: %s), which does not work here: %v %s", info.what, info.packages, err, strings.TrimSpace(string(out)))
	}
	return nil
}
