// Package preforklib is the wire protocol between luapf's processes: the
// prefork-interp protocol v1 of chiark-utils, which luapf speaks with
// chiark's C client and Perl server library, and luapf's extensions to it.
// It holds both ends of each exchange and no process logic: the client
// program is package client, the server runtime/server.
//
// The parts, each in its own file (docs/protocol.md has the whole):
//
//   - protocol.go: one call on a call socket: the greeting, the request
//     (signalling byte, the caller's three files, environment and argv)
//     and the wait status, with the request message's codec;
//   - fdpass.go: passing one descriptor per one-byte message (SCM_RIGHTS);
//   - setupenv.go: PREFORK_INTERP, with which a client hands a new server
//     its descriptors;
//   - extension.go: luapf's extensions: the offer in a greeting, the
//     extension block after a request, the address that marks a luapf
//     client; and the features: signals.go (signal frames), status.go
//     (status queries), callcontext.go (the caller's umask, limits and
//     nice value), cwd.go (the caller's working directory), envdeps.go
//     (the environment an initialisation read), packed.go (a request in
//     one message);
//   - control.go: a server's control socket to its executors: the call's
//     connection handed over, the executor's answer, its exit report;
//   - errors.go: the errors callers test for; program.go: how every luapf
//     process reports its own failures (the "luapf: " prefix, exit 127).
//
// Every reader bounds what a peer can make it allocate and reads no byte
// past what it needs (a byte read ahead could carry a descriptor); the
// decoders of untrusted bytes have fuzz targets.
package preforklib
