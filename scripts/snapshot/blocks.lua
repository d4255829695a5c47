-- initialisation_complete inside a block of the main chunk, with locals of
-- the block captured by closures; upvalues frozen on a dead coroutine.
local prefork = require "prefork"

local escape
do
  local co = coroutine.create(function()
    local secret = 1
    escape = function() secret = secret + 1; return secret end
    coroutine.yield()
  end)
  coroutine.resume(co)
end

local outer = "outer"
if outer then
  local inner = 1
  local function peek() return inner, outer end
  for i = 1, 1 do
    local step = 10
    local function stepper() inner = inner + step; return inner end

    prefork.initialisation_complete()

    print(stepper(), peek())
    inner, step, outer = 100, 1, "changed"
    print(stepper(), peek())
  end
  print(inner)
end
print(escape(), escape())
