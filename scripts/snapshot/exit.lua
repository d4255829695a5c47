-- os.exit after the call ends the call with that status.
local prefork = require "prefork"
local code = 3

prefork.initialisation_complete()

io.write("exiting with ", code, "\n")
os.exit(code)
