-- A table error with __tostring: lua5.1 still does not call it.
local prefork = require "prefork"
prefork.initialisation_complete()
error(setmetatable({}, { __tostring = function() return "custom" end }))
