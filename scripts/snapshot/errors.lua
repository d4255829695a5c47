-- A runtime error after the call reports the script's real line numbers.
local prefork = require "prefork"

local function fail(x)
  return x.field.missing
end

prefork.initialisation_complete()

print("before the error")
fail({})
print("never printed")
