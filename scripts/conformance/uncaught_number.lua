-- A number as the error value is printed as a message.
local prefork = require "prefork"
prefork.initialisation_complete()
error(42)
