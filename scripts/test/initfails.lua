-- Fails during its initialisation, after writing to stderr.
local prefork = require "prefork"
io.stderr:write("initialisation ran\n")
error("initialisation failed on purpose")
prefork.initialisation_complete()
