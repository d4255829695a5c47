// Package preforklib is luapf's implementation of chiark-utils'
// prefork-interp protocol v1: everything but the Lua. It holds the client
// (the #! interpreter a caller runs), the watcher, and the pieces a server
// needs from the same protocol.
//
// A script that starts #!/usr/bin/luapf is run by the client, Main. The
// client works out the script's server ident (ident.go: a hash of the
// interpreter, script, working directory, host and -E/-G options, or -g's
// name), finds the run directory (rundir.go), and connects to the socket
// RUNDIR/s<ident>. If a server answers with its greeting, the client sends
// the call: its stdin, stdout and stderr as SCM_RIGHTS descriptors, its
// environment and argv (protocol.go, fdpass.go), then waits for the wait
// status of the executor that ran the script and ends the same way
// (exitstatus.go).
//
// If nobody answers, the client takes the lock RUNDIR/l<ident> (lock.go),
// trims the run directory (preclean.go) and starts a server (spawn.go): it
// binds a new listening socket, starts a watcher (watcher.go) that quits
// when that socket is removed or replaced, and runs the interpreter as
// setup with PREFORK_INTERP naming the descriptors it inherits
// (setupenv.go). Setup runs the script's initialisation, daemonises into
// the server, and answers the client's first call on a socket pair. The
// watcher and the server are tied by two pipes: each quits when the other
// goes. So -f (start a fresh server) and --kill (remove the socket) stop an
// old server without signalling it.
//
// Go cannot fork: the watcher is a re-execution of the luapf binary in a
// hidden role named in argv[0] (role.go). The same registry starts the Lua
// runtime's roles, which use this package's protocol functions from the
// server end (ReadRequest, WriteGreeting, WriteStatus, ParseSetupEnv).
//
// The client also understands the C program's command line when run as
// prefork-interp, which makes luapf a drop-in client for the Perl server
// library Proc::Prefork::Interp; the package's interop tests prove the
// protocol against it.
//
// Every descriptor the package opens is close-on-exec and named; every
// error says what failed, on what and why, and the programs print it after
// "luapf: ".
package preforklib
