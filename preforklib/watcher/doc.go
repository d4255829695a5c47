// Package watcher ties a server's life to its socket path. A client starts
// a watcher with every new server (Start, start.go), in its own session,
// with this layout:
//
//	fd 0   read end of a pipe whose write end only the server holds (the
//	       server's WATCHI): end of file means the server is gone
//	fd 1   write end of a pipe the server reads (its WATCHE), and fd 2 the same
//
// The watcher (Main, watcher.go) exits 0 as soon as the socket path is
// removed or names another inode (-f, --kill, a preclean), and when its
// stdin reaches end of file or becomes readable. Either way its end of the
// WATCHE pipe closes, and the server, seeing end of file there, quits. If
// the watcher cannot watch, it writes a message to fd 2 and exits 127: the
// server logs the message and quits, since a server whose socket nobody
// watches could not be stopped. So -f and --kill stop an old server
// without signalling it.
package watcher
