-- An uncaught error whose value is a table: lua5.1 says it is not a string.
local prefork = require "prefork"
prefork.initialisation_complete()
io.write("partial output, no newline")
error({ code = 7 })
