// Package rundir is where luapf's servers live and what names them: the
// run directory (rundir.go: $XDG_RUNTIME_DIR/luapf, /run/user/UID/luapf or
// $HOME/.luapf/HOST, private to the user), the ident that names a server
// (ident.go: a SHA-256 laid out as chiark's C client lays it out, so that
// both give a call the same ident), the socket and lock paths in it, the
// server locks (lock.go) and the removal of the least recently used
// servers' entries (preclean.go). docs/protocol.md gives the rules.
package rundir
