-- Identity, cycles, metatables, odd keys, lengths and key order.
local prefork = require "prefork"

local shared = { name = "shared" }
local a = { ref = shared }
local b = { ref = shared }
local cycle = {}
cycle.self = cycle
local ring1, ring2 = {}, {}
ring1.next, ring2.next = ring2, ring1

local Vec = {}
Vec.__index = Vec
Vec.__add = function(x, y) return Vec.new(x.x + y.x, x.y + y.y) end
Vec.__eq = function(x, y) return x.x == y.x and x.y == y.y end
Vec.__lt = function(x, y) return x.x < y.x end
Vec.__le = function(x, y) return x.x <= y.x end
Vec.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
Vec.__concat = function(x, y) return tostring(x) .. "++" .. tostring(y) end
Vec.__len = function(v) return 2 end
Vec.__call = function(v, k) return v[k] end
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
local v1, v2 = Vec.new(1, 2), Vec.new(1, 2)

local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) return "default:" .. k end,
  __newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end,
})

local keyT, keyF = {}, function() end
local weird = { [keyT] = "table key", [keyF] = "function key" }

local holes = { 1, 2, nil, 4 }
local trailing = { 1, 2, 3 }
trailing[3] = nil
local sparse = {}
sparse[1] = "a"; sparse[2] = "b"; sparse[4] = "d"

local order = { first = 1, second = 2, third = 3 }
order.second = nil
local counts = {}

prefork.initialisation_complete()

print(a.ref == b.ref, a.ref.name, rawequal(a.ref, shared))
print(cycle.self == cycle, cycle.self.self.self == cycle, ring1.next.next == ring1)
print(tostring(v1 + v2), v1 == v2, v1 < Vec.new(2, 0), v1 <= v2, v1 .. v2, #v1, v1("y"))
print(getmetatable(v1) == Vec, proxy.missing)
proxy.newkey = 1
proxy.other = 2
print(table.concat(log, ","), rawget(proxy, "newkey"))
print(weird[keyT], weird[keyF])
print(#holes, #trailing, #sparse, sparse[4])
order.second = 22
order.fourth = 4
for k, v in pairs(order) do io.write(k, "=", v, " ") end
print()
for _, k in ipairs({ "x", "y", "x", "z", "y", "x" }) do counts[k] = (counts[k] or 0) + 1 end
for k, v in pairs(counts) do io.write(k, "=", v, " ") end
print()
