// Package conformance holds the tests that luapf runs Lua as Debian's
// lua5.1 (PUC-Rio Lua 5.1) runs it; it has no code of its own.
//
// The corpus is scripts/conformance: one Lua program per concern (numbers,
// math, strings, the table library, errors and their messages, os.date,
// load/setfenv/coroutines, the io library, the debug library's view of a
// warm call) and programs that use Debian's penlight, dkjson, argparse,
// inspect and inifile the way their users do. Each prints nothing until
// prefork.initialisation_complete and then prints sections headed
// "== title". TestConformance runs each with lua5.1 (which gets a no-op
// prefork module through LUA_INIT), with luapf --standalone, as the call
// that starts a server and as two warm calls, all in the corpus directory
// with no LUA_PATH, and compares:
//
//   - every luapf run with --standalone, byte for byte (stdout, stderr,
//     exit status): a warm call is the script run cold;
//   - luapf with lua5.1 section by section, and their exit statuses and
//     standard error (with lua5.1's "lua5.1:" read as "luapf:").
//
// A section, status or standard error may differ from lua5.1's only if
// docs/conformance.md lists it in its table of known differences, with the
// reason; a listed difference that has gone away fails the test too, so the
// table stays true.
//
// A case's first lines may set how it runs, as comments:
//
//	-- conformance: args ARG...       its arguments (split on spaces)
//	-- conformance: stdin FILE        its standard input, from the corpus
//	-- conformance: env NAME=VALUE    an environment variable for every run
//	-- conformance: variant NAME=VALUE  also run it with this variable set
//
// TestCLIWithoutLuaPath checks one case, a small tool built on dkjson,
// pl.List and argparse, against its expected output, cold and warm.
package conformance
