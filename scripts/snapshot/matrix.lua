-- Table shapes x the first operation on them after the call starts. Every
-- shape is built once per operation during the initialisation, so that each
-- operation is the first thing that touches its copy: a restored table is
-- still unloaded then, and the operation must see exactly what it sees in
-- a straight run. The go_* functions (Go code reading tables: ForEach,
-- Next, Len, RawGet*) exist in the snapshot tests' runtime only.
local prefork = require "prefork"

local function show(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  return t -- addresses differ between processes
end

local shapes, shapeNames = {}, {}
local function shape(name, make) shapes[name] = make; shapeNames[#shapeNames + 1] = name end

local sharedKey, sharedFn = { "key" }, function() return "fn" end

shape("empty", function() return {} end)
shape("array", function() return { 10, 20, 30, 40 } end)
shape("large array", function()
  local t = {}
  for i = 1, 3000 do t[i] = i * 3 end
  return t
end)
shape("array with holes", function()
  local t = { 1, nil, 3, nil, 5 }
  t[7] = 7; t[8] = 8; t[8] = nil -- a trailing nil in the array part
  return t
end)
shape("array of tables", function()
  local t = {}
  for i = 1, 200 do t[i] = { id = i, name = "row" .. i } end
  return t
end)
shape("strings", function() return { a = 1, b = "two", c = true } end)
shape("large strings", function()
  local t = {}
  for i = 1, 500 do t["k" .. i] = (i % 3 == 0) and ("v" .. i) or i end
  t.k10 = nil; t.k20 = nil; t.k20 = "again"; t.a = "a"
  return t
end)
shape("deletions", function()
  local t = { first = 1, second = 2, third = 3 }
  t.second = nil; t.fourth = 4; t.first = nil; t.first = "back"
  return t
end)
shape("mixed keys", function()
  local t = { 1, 2, 3, x = "x", [0] = "zero", [-1] = "minus", [1.5] = "half", [true] = "T", [false] = "F" }
  t[2 ^ 53] = "big"; t[sharedKey] = "object key"; t[sharedFn] = "function key"
  return t
end)
shape("object keys", function()
  local t, gone = {}, {}
  t[sharedKey] = 1; t[gone] = 2; t[sharedFn] = 3; t[gone] = nil
  return t
end)
shape("cycle", function()
  local t = { name = "cycle" }
  t.self = t; t.list = { t, { t } }
  return t
end)
shape("metatable chain", function()
  local base = { base = "base", shared = "from base" }
  local mid = setmetatable({ mid = "mid", shared = "from mid" }, { __index = base })
  local log = {}
  return setmetatable({ 5, 6, own = "own" }, {
    __index = mid,
    __newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end,
    __len = function() return 99 end,
  }), log
end)
shape("closures", function()
  local n = 0
  local t = {}
  t.inc = function() n = n + 1; return n end
  t.get = function() return n end
  t[1] = t.inc; t[2] = t.get
  t.inc()
  return t
end)

-- Operations: each returns a line describing what it saw.
local function pairsLine(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = show(k) .. "=" .. show(v) end
  return table.concat(out, " ")
end
local function arrayLine(t, n)
  local out = {}
  for i = 1, n or #t do out[#out + 1] = show(rawget(t, i)) end
  return table.concat(out, " ")
end
local keys = { 1, 2, 3, 5, 8, 3000, 3001, 0, -1, 1.5, "a", "b", "x", "k10", "k20", "k21", "k300", "first", "second", "own", "base", "shared", "nope", true, false, sharedKey, sharedFn }

local ops, opNames = {}, {}
local function op(name, f) ops[name] = f; opNames[#opNames + 1] = name end

op("rawget", function(t)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = show(rawget(t, k)) end
  return table.concat(out, " ")
end)
op("index", function(t)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = show(t[k]) end
  return table.concat(out, " ")
end)
op("rawset", function(t)
  rawset(t, "new", 1); rawset(t, 2, "two"); rawset(t, "a", nil)
  return pairsLine(t) .. " | #" .. #t
end)
op("assign", function(t)
  t.second = "re-inserted"; t.extra = "extra"; t[#t + 1] = "appended"
  return pairsLine(t)
end)
op("pairs", pairsLine)
op("next", function(t)
  local k, v = next(t)
  local k2 = k ~= nil and next(t, k) or nil
  return show(k) .. " " .. show(v) .. " " .. show(k2)
end)
op("length", function(t) return tostring(#t) .. " " .. tostring(rawequal(#t, #t)) end)
op("ipairs", function(t)
  local out = {}
  for i, v in ipairs(t) do out[#out + 1] = i .. ":" .. show(v) end
  return table.concat(out, " ")
end)
op("sort", function(t)
  local ok = pcall(table.sort, t, function(x, y) return show(x) > show(y) end)
  return tostring(ok) .. " " .. arrayLine(t)
end)
op("insert", function(t)
  table.insert(t, "end"); table.insert(t, 1, "front")
  return arrayLine(t) .. " | #" .. #t
end)
op("remove", function(t)
  local a, b = table.remove(t), table.remove(t, 1)
  return show(a) .. " " .. show(b) .. " | " .. arrayLine(t)
end)
op("concat", function(t)
  local ok, s = pcall(table.concat, t, ",")
  return tostring(ok) .. " " .. (ok and s or "error")
end)
op("unpack", function(t)
  local n = select("#", unpack(t))
  return n .. " " .. show((unpack(t)))
end)
op("maxn", function(t) return tostring(table.maxn(t)) end)
op("as a key", function(t)
  local other = { [t] = "found" }
  return show(other[t]) .. " " .. tostring(rawequal(t, t))
end)
op("identity", function(t)
  return tostring(rawequal(t.self, t)) .. " " .. tostring(t.list ~= nil and t.list[1] == t and t.list[2][1] == t)
end)
op("metatable", function(t)
  local mt = getmetatable(t)
  return show(mt) .. " " .. show(t.base) .. " " .. show(t.shared) .. " " .. show(t.own)
end)
op("closures", function(t)
  if type(t.inc) ~= "function" then return "none" end
  t.inc(); t[1]()
  return t.get() .. " " .. t[2]() .. " " .. tostring(t[1] == t.inc)
end)
op("go_foreach", function(t) return go_foreach and go_foreach(t) or "n/a" end)
op("go_next", function(t) return go_next and go_next(t) or "n/a" end)
op("go_len", function(t) return go_len and go_len(t) or "n/a" end)
op("go_get", function(t)
  if not go_get then return "n/a" end
  return show(go_get(t, 1)) .. " " .. show(go_get(t, "a")) .. " " .. show(go_get(t, "k300")) .. " " .. show(go_get(t, true))
end)

-- A copy of every shape per operation, and a table keyed by the copies
-- (identity across the restore).
local copies, keyed, logs = {}, {}, {}
for _, s in ipairs(shapeNames) do
  for _, o in ipairs(opNames) do
    local t, log = shapes[s]()
    copies[s .. "/" .. o] = t
    keyed[t] = s .. "/" .. o
    logs[s .. "/" .. o] = log
  end
end

prefork.initialisation_complete()

for _, s in ipairs(shapeNames) do
  for _, o in ipairs(opNames) do
    local name = s .. "/" .. o
    local t = copies[name]
    local ok, line = pcall(ops[o], t)
    if not ok then line = "error: " .. tostring(line) end
    local log = logs[name]
    if log then line = line .. " | newindex log: " .. table.concat(log, ",") end
    print(name .. ": " .. line)
  end
end
local found = 0
for _, s in ipairs(shapeNames) do
  for _, o in ipairs(opNames) do
    if keyed[copies[s .. "/" .. o]] == s .. "/" .. o then found = found + 1 end
  end
end
print("copies found by identity: " .. found)
