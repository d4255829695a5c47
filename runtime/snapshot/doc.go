// Package snapshot captures an initialised gopher-lua state as bytes and
// continues its main chunk in another process.
//
// Go cannot fork, so luapf's setup process runs a script up to
// prefork.initialisation_complete(), calls Capture there, and hands the bytes
// to the server, which checks them once with Validate; each call's executor
// maps them, opens a fresh state the same way, calls Restore and runs the
// returned Continuation with the call's arguments.
//
// Restore is lazy, so that a call costs what it touches, not what the
// initialisation built: it makes the roots only (the library objects with
// the script's changes, the main chunk, its locals, arg), and every other
// object on first reference, remembered by id. A table's contents load on
// first use, through luapf's patch to gopher-lua (third_party/gopher-lua,
// lazy.go): reads of its array part, its length and, for a large table,
// one string key are answered from the snapshot without loading it.
// Strings point into the snapshot's bytes instead of being copied. The
// format (format.go) is laid out for this: fixed-width records per object,
// a string pool and per-table string-key indexes. RestoreOptions.Eager
// makes and loads everything at once instead, for tests and comparisons. The contract: the call behaves exactly like the script run
// straight through, continuing after the initialisation_complete statement,
// except that arg, ..., the environment and the standard files are the
// call's.
//
// What travels: nil, booleans, numbers (exact bits), strings (any bytes),
// tables (identity, cycles, metatables, the exact array part and key order),
// Lua closures (compiled prototypes, environments, upvalues as shared
// cells), closed file handles, and references to library objects (Go
// functions, library tables, io.stdin/stdout/stderr), which an executor maps
// by path to its own after applying the script's changes to them. Compiled
// code travels as code: restore never parses Lua source. What cannot travel
// (open files, coroutines, channels, other userdata, Go functions made at run
// time) makes Capture fail with a *CarryError naming where it was found.
//
// In luapf, setup (runtime/server, setup.go) captures, runtime/image carries
// the bytes in a sealed memfd, and each executor (runtime/executor)
// restores; both open their states with runtime/lua.
//
// How the main chunk continues: while initialisation_complete runs, its
// caller's frame has already advanced past the CALL instruction. Capture
// reads that program counter and the frame's register base (read-only
// reflection on gopher-lua's unexported fields, see internals.go), checks the
// call was a statement of the main chunk, and records the chunk's active
// locals. Restore builds a copy of the main prototype that takes those locals
// as parameters and jumps to the recorded point (continuation.go). Locals
// captured by closures stay shared in both directions through a prologue
// that binds the restored closures to the continuing frame's registers.
//
// The format is versioned and guarded by the patch level of luapf's copy of
// gopher-lua and a fingerprint of the structures it depends on; a snapshot
// from another luapf is refused with ErrVersion and a message saying to
// restart the server. TestInternals fails loudly when a gopher-lua upgrade
// changes those structures.
package snapshot
