-- Copies stdin to stdout, byte for byte.
local prefork = require "prefork"
prefork.initialisation_complete()

io.write(io.read("*a"))
