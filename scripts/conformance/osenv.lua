-- os.getenv of set, unset and empty variables.
-- conformance: env LUAPF_CONFORMANCE_SET=value with spaces
-- conformance: env LUAPF_CONFORMANCE_EMPTY=
local prefork = require "prefork"
local show = require "lib.show"
local at_start = os.getenv("LUAPF_CONFORMANCE_SET")
prefork.initialisation_complete()
print("== set and unset variables")
show(at_start, os.getenv("LUAPF_CONFORMANCE_SET"), os.getenv("LUAPF_CONFORMANCE_UNSET"))
show(pcall(os.getenv))
print("== a variable set to the empty string")
show(os.getenv("LUAPF_CONFORMANCE_EMPTY"))
