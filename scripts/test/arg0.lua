-- Says, in the initialisation, which arg[0] it runs with, and in each call
-- the call's arg[0] and the one the initialisation saw.
local prefork = require "prefork"
local seen = arg[0]
io.stderr:write("initialisation: arg[0] ", seen, "\n")
prefork.initialisation_complete()

print("call: arg[0] " .. arg[0] .. ", initialisation's " .. seen)
