-- Closures: shared upvalues with the main chunk, siblings, recursion.
local prefork = require "prefork"

local count = 0
local function bump() count = count + 1 end

local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc(); inc()

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local function adder(x) return function(y) return x + y end end
local add10 = adder(10)

local later = "before"
local function readLater() return later end
local function writeLater(v) later = v end

local deep
do
  local hidden = "hidden"
  deep = function() return hidden end
end

prefork.initialisation_complete()

bump(); bump()
print(count)
inc()
print(get())
print(fib(15), add10(5))
later = "assigned in the main chunk after the call"
print(readLater())
writeLater("assigned by a closure")
print(later)
count = 100
bump()
print(count, deep())
