-- Every kind of value a snapshot carries, checked after the call.
local prefork = require "prefork"

local numbers = { 0.1, -0.0, 1e308, 2^53 + 1, -2^63, 1/0, -1/0, 5e-324, 123456789012, 0 }
local nan = 0/0
local strings = { "", "plain", "nul\0inside\0", "\255\254invalid utf-8 \192\128", ("x"):rep(1000) }
local t, f = true, false
local nothing = nil
local nested = { a = { b = { c = { d = "deep" } } } }
big = {}
for i = 1, 2000 do big[i] = i * 1.5 end
mixed = { 1, "two", { 3 }, four = 4, [5.5] = "float key", [true] = "bool key", [-1] = "negative" }

prefork.initialisation_complete()

for i, n in ipairs(numbers) do
  io.write(i, " ", string.format("%.17g", n), " ", tostring(1 / n), "\n")
end
print("nan", nan ~= nan)
for i, s in ipairs(strings) do
  print(i, #s, string.format("%q", s:sub(1, 40)))
end
print(t, f, nothing, type(nothing))
print(nested.a.b.c.d)
local sum = 0
for i = 1, #big do sum = sum + big[i] end
print(#big, sum)
print(#mixed, mixed[2], mixed[3][1], mixed.four, mixed[5.5], mixed[true], mixed[-1])
