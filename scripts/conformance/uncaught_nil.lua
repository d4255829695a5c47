-- error() with no value: status 1 and nothing on stderr.
local prefork = require "prefork"
prefork.initialisation_complete()
print("before")
error()
