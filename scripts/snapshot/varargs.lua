-- The call's arguments: ..., select('#', ...) and arg.
local prefork = require "prefork"
local saved = arg
local first_at_init = arg[1]

prefork.initialisation_complete()

print(select('#', ...))
print(...)
print(#arg, arg[0] ~= nil, arg[1], arg[2], arg[3])
print(saved == arg, first_at_init)
local packed = { ... }
print(#packed, packed[#packed])
