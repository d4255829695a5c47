-- Writes during initialisation: that goes to the spawning call's stderr.
local prefork = require "prefork"
print("init to stdout")
io.stderr:write("init to stderr\n")
prefork.initialisation_complete()

print("call output")
