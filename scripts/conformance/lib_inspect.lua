-- inspect as its users use it: show nested values, cycles and metatables.
local prefork = require "prefork"
local inspect = require "inspect"

local shared = { "shared" }
local data = {
  1, 2.5, "three", true,
  nested = { a = { b = { c = { d = "deep" } } } },
  ["key with spaces"] = 1e100, [10] = "ten", [1.5] = "float key",
  s1 = shared, s2 = shared,
  mt = setmetatable({ x = 1 }, { __index = { y = 2 }, __tostring = function() return "X" end }),
}
data.self = data

prefork.initialisation_complete()

print("== inspect")
print(inspect(data))
print(inspect(data, { depth = 2 }))
print(inspect(data.nested, { newline = " ", indent = "" }))
print(inspect({ "a", "b", { "c" } }))
print(inspect("string with \"quotes\"\nand newline\0"), inspect(42), inspect(1/3), inspect(nil), inspect(-0.5))
print(inspect({ f = 1, [true] = "bool key", [0] = "zero", [-1] = "neg" }))
print(inspect(data.mt, { process = function(item, path) if path[#path] ~= inspect.METATABLE then return item end end }))
print(inspect({ 1, 2, nil, 4 }))
print(inspect({ ["1"] = "string one", [1] = "number one" }))
