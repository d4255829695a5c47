// Package client is luapf's client: the program a caller runs as a
// script's #! interpreter (luapf's command line), or as chiark's
// prefork-interp (the C program's). It finds the script's server, starting
// one if there is none, hands it the call, and ends the way the script
// ended.
//
// Main (client.go) parses the command line (commandline.go, usage.go),
// finds the run directory and the server's ident (package rundir) and
// connects (sockets.go) on a blocking socket used without the Go
// runtime's poller (callconn.go). A server whose initialisation read other values
// of the environment is left for the one this call's values lead to
// (envfollow.go). With no server, the client takes the server's lock,
// starts a watcher (package watcher) and runs the interpreter as setup
// with PREFORK_INTERP (spawn.go); when no server can be used at all
// before anything of the call has run, the script runs in this process
// (fallback.go). The call itself sends the caller's files, environment,
// argv, working directory, umask, limits and nice value (readcontext.go),
// in one message to a luapf server (preforklib's packed requests), before
// the greeting to a server of this executable (client.go, early
// requests), and forwards the caller's signals, caught from the moment
// the client knows it will call a server (forward.go, with package
// sigcatch); the client then ends with the script's exit status or dies
// of its signal (exitstatus.go).
// --status (statuscmd.go) reports what a server is doing; --kill --all
// and --status without a script deal with every server in the run
// directory at once (allservers.go).
//
// The protocol is package preforklib; docs/protocol.md is the whole, and
// docs/warm-call.md follows one call through the client, server and
// executor.
package client
