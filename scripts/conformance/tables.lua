-- The table library and the length operator, as Lua 5.1.
local prefork = require "prefork"

local show = require "lib.show"

local function list(t, n)
  local out = {}
  for i = 1, n or #t do out[i] = tostring(t[i]) end
  return "{" .. table.concat(out, ",") .. "}"
end

local people = {
  { name = "carol", age = 35 }, { name = "alice", age = 30 }, { name = "bob", age = 25 },
  { name = "dave", age = 40 }, { name = "eve", age = 22 },
}

prefork.initialisation_complete()

print("== insert and remove")
local t = { 1, 2, 3 }
table.insert(t, 4) table.insert(t, 1, 0) table.insert(t, 3, 1.5)
print(list(t))
show(table.remove(t), table.remove(t, 1), table.remove(t, 2))
print(list(t))
local e = {}
show(table.remove(e), #e, table.remove(e, 1))
show(pcall(table.insert, t, 1, 2, 3))
show(pcall(table.insert, t))
show(pcall(table.insert, nil, 1))

print("== concat")
show(table.concat({ 1, 2, 3 }), table.concat({ "a", "b", "c" }, ", "), table.concat({ 1, 2, 3 }, "-", 2))
show(table.concat({ 1, 2, 3 }, "-", 2, 3), table.concat({}, "x"), table.concat({ 1, 2 }, "", 3), table.concat({ 1.5, "x", 2^53 }, " "))
show(pcall(table.concat, { 1, {}, 3 }))
show(pcall(table.concat, { 1, 2 }, ",", 1, 3))
show(pcall(table.concat, { true }))

print("== sort")
local nums = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0 }
table.sort(nums) print(list(nums))
table.sort(nums, function(a, b) return a > b end) print(list(nums))
local words = { "pear", "Apple", "fig", "banana", "apple", "Fig" }
table.sort(words) print(list(words))
table.sort(words, nil) print(list(words))
table.sort(people, function(a, b) return a.age < b.age end)
local names = {}
for i, p in ipairs(people) do names[i] = p.name end
print(table.concat(names, " "))
local mixed = { 3, "x", 1 }
show(pcall(table.sort, mixed))
show(pcall(table.sort, { 3, 2, 1 }, 42))
local single = { 1 } table.sort(single) print(list(single))
local empty = {} table.sort(empty) print(list(empty))

print("== length, unpack, select")
show(#{ 1, 2, 3 }, #{}, #{ n = 1 }, #"abc", select("#"), select("#", nil, nil))
show(select(2, "a", "b", "c")) show(select(-1, "a", "b", "c")) show(pcall(select, 0, "a"))
show(unpack({ 1, 2, 3 })) show(unpack({ 1, 2, 3 }, 2)) show(unpack({ 1, 2, 3 }, 2, 5)) show(unpack({}, 1, 0))
show(table.getn({ 1, 2 }), table.maxn({ [1] = 1, [10] = 2, [3.5] = 3 }), table.maxn({}))
show(pcall(table.setn, {}, 1))
local grown = {}
for i = 1, 100 do grown[i] = i end
for i = 100, 51, -1 do grown[i] = nil end
show(#grown)

print("== length of a table with holes")
local tail = { 1, 2 }
table.insert(tail, 5, "far")
show(#tail, tail[5], table.maxn(tail))
local holes = { 1, nil, 3 }
show(#holes, #{ nil, nil, 3 }, #{ 1, 2, nil, 4 })

print("== iteration")
local arr = { "a", "b", "c", nil, "e" }
local seen = {}
for i, v in ipairs(arr) do seen[#seen + 1] = i .. "=" .. v end
print(table.concat(seen, " "))
local keys = {}
for k in pairs({ 10, 20, 30 }) do keys[#keys + 1] = k end
print(table.concat(keys, " "))
show(next({})) show(next({ 7 })) show(rawlen == nil, rawequal(t, t), rawget({ 5 }, 1))
local count = 0
for k, v in pairs({ a = 1, b = 2, c = 3, 1, 2 }) do count = count + 1 end
show(count)
local fe = {}
table.foreachi({ "x", "y" }, function(i, v) fe[#fe + 1] = i .. v end)
show(table.concat(fe, ","), table.foreach({ 1 }, function(k, v) return "stop" .. v end))

print("== metatables")
local proxy = setmetatable({}, {
  __index = function(_, k) return k .. "!" end,
  __newindex = function(t, k, v) rawset(t, k, v * 2) end,
  __call = function(self, a, b) return a + b end,
  __concat = function(a, b) return "cat" end,
  __unm = function() return "neg" end,
  __eq = function() return true end,
  __lt = function() return true end,
  __le = function() return false end,
  __tostring = function() return "PROXY" end,
})
proxy.x = 21
show(proxy.hello, proxy.x, proxy(2, 3), proxy .. "s", "s" .. proxy, -proxy, tostring(proxy))
local other = setmetatable({}, getmetatable(proxy))
show(proxy == other, proxy < other, proxy <= other, proxy ~= other)
show(getmetatable("abc").__index == string, getmetatable(setmetatable({}, { __metatable = "locked" })))
show(pcall(setmetatable, setmetatable({}, { __metatable = 1 }), {}))
local arith = setmetatable({}, { __add = function(a, b) return "added" end, __mod = function() return "mod" end,
  __pow = function() return "pow" end, __div = function() return "div" end })
show(arith + 1, 1 + arith, arith % 2, arith ^ 2, arith / 2)
local weak = setmetatable({}, { __mode = "k" })
show(getmetatable(weak).__mode)

print("== __len on tables")
show(#setmetatable({ 1, 2 }, { __len = function() return 99 end }))

print("== pairs order of hash keys")
local order = {}
for k in pairs({ alpha = 1, beta = 2, gamma = 3, delta = 4, epsilon = 5 }) do order[#order + 1] = k end
print(table.concat(order, " "))
