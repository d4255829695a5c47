// Package warm is luapf's Lua side as processes: the setup role that runs a
// script's initialisation and captures it, the server that accepts calls,
// the monitor for each call, the executors that restore the snapshot and run
// the rest of the script, the pool that keeps executors ready, and the
// prefork Lua module that scripts require.
package warm
