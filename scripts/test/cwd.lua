-- Writes arg[2] into the file arg[1], relative to the call's working
-- directory: a cold run writes where it was started, and so must each call.
local prefork = require "prefork"
prefork.initialisation_complete()

local f = assert(io.open(arg[1], "w"))
f:write(arg[2], "\n")
f:close()
