-- A runtime error names the variable, as lua5.1 does.
local prefork = require "prefork"
local config = { server = {} }
prefork.initialisation_complete()
print(config.server.port.number)
