-- An uncaught error with a string message: status 1, the message on stderr.
local prefork = require "prefork"
prefork.initialisation_complete()
print("before the error")
local function fail() error("something broke") end
fail()
print("never printed")
