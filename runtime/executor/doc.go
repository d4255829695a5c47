// Package executor runs one call of a script (Main, executor.go): a
// process the server's pool starts ahead of the call, which restores the
// captured state from the image (lazily: the roots now, every other object
// when the call first uses it; LUAPF_RESTORE=eager restores everything
// first), waits for the server to hand it a call's connection on the
// control socket, or to lend it the listening socket to accept the next
// call itself (accept.go; hot at first, hotwait.go), and reads the call's
// request from the client itself (call.go), makes the caller's files its fds 0, 1 and 2 and the caller's
// working directory (when its client sent it) and environment its own,
// applies what the initialisation set and the caller's umask, limits and
// nice value (applycontext.go), and continues the script's main chunk
// right after prefork.initialisation_complete(). Its exit is the call's
// status, which it reports to the server and then sends the client just
// before it exits (call.go), and a failure of luapf's own is said on the
// caller's stderr and exits 127.
package executor
