#!/usr/bin/luapf
-- The smallest luapf script: everything before initialisation_complete runs
-- once per server, everything after it once per call.
local prefork = require "prefork"

local greeting = "Hello"

prefork.initialisation_complete()

print(greeting .. ", " .. (arg[1] or "world") .. "!")
