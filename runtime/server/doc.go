// Package server is luapf's server side as processes: the setup role that
// runs a script's initialisation, captures it and launches the server; the
// server that accepts calls; the monitor for each call; and the pool that
// keeps executors ready.
package server
