-- The continuation is invisible to the debug library, and a closure made
-- inside a failing pcall is captured with its upvalue.
local prefork = require "prefork"

local me = debug.getinfo(1, "f").func
local kept
pcall(function()
  local secret = "kept"
  kept = function() return secret end
  error("fails after making the closure")
end)
local shared = 1
local function get() return shared end
pcall(error, "boom")

prefork.initialisation_complete()

local info = debug.getinfo(1, "Slu")
print(info.what, info.linedefined, info.lastlinedefined, info.nups, info.currentline)
print(debug.getinfo(1, "f").func == me, select("#", debug.getupvalue(me, 1)))
print(kept(), debug.getupvalue(kept, 1))
shared = 2
print(get())
print(select("#", ...), ...)
