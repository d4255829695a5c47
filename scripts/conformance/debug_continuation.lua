-- What the debug library sees of the main chunk, before and after
-- initialisation_complete: a warm call continues the chunk, and must look
-- like it. Also a closure made inside a failing pcall, captured with its
-- upvalue.
local prefork = require "prefork"
local show = require "lib.show"

local before = debug.getinfo(1, "f").func
local kept
pcall(function()
  local secret = "kept"
  kept = function() return secret end
  error("fails after making the closure")
end)
local counter = 0
local function bump() counter = counter + 1; return counter end

prefork.initialisation_complete()

print("== the main function")
local info = debug.getinfo(1, "nSlu")
show(info.what, info.source == "@" .. arg[0], info.short_src == arg[0], info.linedefined, info.lastlinedefined)
show(info.currentline, info.nups, info.name, info.namewhat)
show(debug.getinfo(1, "f").func == before, debug.getupvalue(before, 1))
show(select("#", ...), ...)

print("== locals")
local names = {}
for i = 1, 10 do
  local name = debug.getlocal(1, i)
  if not name then break end
  names[#names + 1] = name
end
print(table.concat(names, " "))

print("== closures")
show(kept(), bump(), bump(), counter)
show(debug.getupvalue(kept, 1))
show(debug.getinfo(bump, "u").nups, debug.getupvalue(bump, 1))

print("== traceback")
print(debug.traceback("here"))
