-- os.exit(true): Lua 5.2 and later exit 0, Lua 5.1 rejects the argument.
local prefork = require "prefork"
prefork.initialisation_complete()
print("exiting")
os.exit(true)
