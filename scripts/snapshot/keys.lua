-- Key order survives exactly, deleted keys included, for every key type.
local prefork = require "prefork"

local tk, fk = { "table key" }, function() end
local t = {}
t.a = 1; t[tk] = 2; t[1.5] = 3; t[fk] = 4; t[true] = 5; t.z = 6
t[tk] = nil; t.a = nil; t[true] = nil

prefork.initialisation_complete()

t.z = 60
t[tk] = 20; t.new = 7; t.a = 10; t[true] = 50
for k, v in pairs(t) do
  local name = k == tk and "tk" or k == fk and "fk" or tostring(k)
  io.write(name, "=", v, " ")
end
print()
