// Package testutil holds what luapf's tests share: building the real luapf
// binary, or another program of the repository such as the embedding
// example, once per test process (binary.go), a Sandbox that gives each test
// its own HOME (and so its own run directory and servers) and makes sure no
// process started under it outlives the test (sandbox.go), running a
// process to its end with hang detection (run.go), checks for leaked
// descriptors (fdleak.go), and RequirePeer (peers.go), with which a test
// that runs against one of the peers (chiark's C client, the Perl library,
// lua5.1, lua5.4, tmux, man) fails, naming the command that installs it,
// when the peer is missing.
package testutil
