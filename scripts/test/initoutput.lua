-- Writes during initialisation: that goes to the spawning call's stdout
-- and stderr, as in a cold run; warm calls do not repeat it.
local prefork = require "prefork"
print("init to stdout")
io.stderr:write("init to stderr\n")
prefork.initialisation_complete()

print("call output")
