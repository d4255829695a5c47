-- The math library, as Lua 5.1 gives it.
local prefork = require "prefork"

local show = require "lib.show"

local seed = 42
-- Drawn before initialisation_complete, unseeded (C's rand() starts as if
-- seeded with 1): a warm call continues the same sequence.
local early = { math.random(1000), math.random(1000) }

prefork.initialisation_complete()

print("== constants")
show(math.huge, -math.huge, math.pi, math.huge == 1/0, math.huge > 2^1023)

print("== rounding")
show(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2), math.floor(-0.0))
show(math.floor(2^60 + 0.5), math.ceil(1e300), math.floor(1/0), math.floor("3.7"))
show(math.modf(3.7)) show(math.modf(-3.7)) show(math.modf(5)) show(math.modf(1/0))
show(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(5.5, 2))
show(math.frexp(8)) show(math.frexp(0)) show(math.frexp(-3)) show(math.ldexp(0.5, 4), math.ldexp(1, -2))

print("== functions")
show(math.abs(-3), math.abs(-0.0), math.abs(2^63), math.max(1, 5, 3), math.min(4, -2, 8))
show(math.max(1.5), math.min(-1/0, 0), math.sqrt(2), math.sqrt(16), math.pow(2, 10))
show(math.exp(0), math.exp(1), math.log(1), math.log(0), math.log10(1000), math.log10(2))
show(math.sin(0), math.sin(1), math.cos(math.pi), math.tan(1), math.asin(1), math.acos(0))
show(math.atan(1), math.atan2(1, -1), math.atan2(0, -1), math.sinh(1), math.cosh(1), math.tanh(1))
show(math.deg(math.pi), math.rad(180), math.exp(710), math.log(-1) ~= math.log(-1))

print("== not a number")
local nan = math.sqrt(-1)
show(nan ~= nan, math.fmod(1, 0) ~= math.fmod(1, 0), math.huge - math.huge ~= 0)

print("== random continuing the initialisation's draws")
print(early[1], early[2], math.random(1000), math.random(1000))

print("== random with a seed")
math.randomseed(seed)
local r = {}
for i = 1, 5 do r[#r + 1] = math.random(100) end
for i = 1, 3 do r[#r + 1] = math.random(5, 15) end
print(table.concat(r, " "))
local x = math.random()
show(x >= 0 and x < 1)
math.randomseed(seed)
local again = {}
for i = 1, 5 do again[#again + 1] = math.random(100) end
print(table.concat(again, " "))
math.randomseed(7)
local seven = {}
for i = 1, 6 do seven[#seven + 1] = ("%.10f"):format(math.random()) end
print(table.concat(seven, " "))
math.randomseed(12345.9)
show(math.random(1000000))
math.randomseed(-3)
show(math.random(1000000))
math.randomseed(0)
show(math.random(1000000))

print("== random errors")
show(pcall(math.random, 0))
show(pcall(math.random, 3, 1))
show(pcall(math.random, 1, 2, 3))
show(pcall(math.floor, "x"))
show(pcall(math.max))
show(pcall(math.randomseed))
