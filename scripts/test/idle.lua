-- A server that quits after one second without calls.
local prefork = require "prefork"
prefork.initialisation_complete { idle_timeout = 1 }

print("served")
