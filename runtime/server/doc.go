// Package server is luapf's server side for a Lua script, as processes:
//
//   - setup (setup.go, SetupMain): the interpreter a client runs with
//     PREFORK_INTERP; it runs the script's initialisation and, at
//     prefork.initialisation_complete(), captures the state, writes the
//     image (runtime/image) and starts the server with the client's
//     descriptors, then exits 0 once the server is ready (a script that
//     ends without calling it has run as a cold run, and setup exits as
//     the script did);
//   - the server (server.go, Main): validates the image once, so that its
//     executors can trust it, then accepts calls on the listening socket
//     (checking each caller's uid, preforklib/rundir's CheckPeer) and
//     status queries (statusquery.go), or lends the socket to a pooled
//     executor, which accepts the next call itself (lend.go), until its
//     socket is removed or replaced (the watcher), a file the script
//     depends on changes (runtime/image's Meta.Stale), it has been idle
//     for idle_timeout, or accepting keeps failing; five seconds after
//     its last call it gives back the memory calls used;
//   - the monitor (monitor.go), a goroutine per call: the greeting with
//     luapf's offer (offer.go) and the hand-over of the call's connection
//     to an executor (unless the executor accepted the call itself), which
//     reads the request and sends the wait status itself, the caller's signals relayed to the executor's process
//     group and a caller that goes away noticed (callgroup.go), and the
//     wait status when the executor ends without sending it;
//   - the pool (pool.go): executors (runtime/executor) started ahead of
//     calls, so that a call rarely waits for one, refilled once a call is
//     over (not while it runs), and let go after pool_idle_timeout
//     without a call (server.go), for the next call to refill; an
//     executor's crash report (crash.go) ends its call with status 127.
//
// Every failed call leaves one line in the server's log (calllog.go,
// logging.go): syslog, or a file in the run directory. docs/protocol.md
// gives the rules the server follows and docs/warm-call.md follows one
// call through it.
package server
