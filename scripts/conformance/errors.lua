-- Errors and their messages, caught with pcall, as Lua 5.1 words them.
local prefork = require "prefork"

local show = require "lib.show"

local up = nil
local function thrower(level) error("thrown", level) end
local function caller(level) thrower(level) end

prefork.initialisation_complete()

print("== error values")
show(pcall(error, "plain"))
show(pcall(error, "no position", 0))
show(pcall(error))
show(pcall(error, nil))
show(pcall(error, 42))
local obj = { code = 7 }
local ok, err = pcall(error, obj)
show(ok, err == obj, err.code)
show(pcall(function() error("level 1") end))
show(pcall(function() error("level 2", 2) end))
show(pcall(caller, 1))
show(pcall(caller, 2))
show(pcall(caller, 3))
show(pcall(function() error(setmetatable({}, { __tostring = function() return "custom" end })) end))
show(select("#", pcall(error)))

print("== assert")
show(pcall(assert, false))
show(pcall(assert, nil, "with message"))
show(pcall(assert, false, 42))
show(pcall(assert, 1, 2, 3))
show(pcall(assert))

print("== runtime errors name what failed")
local t = {}
show(pcall(function() local x = nil; return x.field end))
show(pcall(function() return undefined_global.field end))
show(pcall(function() return t.missing.field end))
show(pcall(function() return up.field end))
show(pcall(function() undefined_function() end))
show(pcall(function() t.method() end))
show(pcall(function() t:method() end))
show(pcall(function() local f; f() end))
show(pcall(function() local x; return x + 1 end))
show(pcall(function() return t.n * 2 end))
show(pcall(function() return up - 1 end))
show(pcall(function() return {} .. "x" end))
show(pcall(function() local s = {}; return "x" .. s end))
show(pcall(function() return #up end))
show(pcall(function() local n = 5; return n.x end))
show(pcall(function() t.a.b = 1 end))
show(pcall(function() return ("x").y.z end))
show(pcall(function() return -{} end))
show(pcall(function() return t < 1 end))
show(pcall(function() return 1 < t end))
show(pcall(function() return "a" < 1 end))
show(pcall(function() return t <= t end))
show(pcall(function() local a = {}; a[nil] = 1 end))
show(pcall(function() return 1 + nil end))
show(pcall(function() return math.nofunction(1) end))
show(pcall(function() return string.nofunction("x") end))

print("== errors from library functions")
show(pcall(function() return string.rep() end))
show(pcall(function() return ("x"):rep() end))
show(pcall(function() return ("x"):rep("y") end))
show(pcall(function() return string.sub() end))
show(pcall(function() return math.floor("x") end))
show(pcall(function() return tostring() end))
show(pcall(function() return setmetatable(1, {}) end))
show(pcall(function() return ipairs(nil) end))
show(pcall(function() return ("x"):bad() end))
show(pcall(function() return table.concat({}, 1, 2, 3, 4) end))
show(pcall(function() return tonumber("10", 99) end))
show(pcall(function() return io.open() end))
show(pcall(function() return select() end))
show(pcall(function() return unpack() end))
show(pcall(function() return setfenv(1, 2) end))
show(pcall(function() return rawset({}, nil, 1) end))

print("== xpcall")
show(xpcall(function() error("in xpcall") end, function(m) return "handled: " .. m end))
show(xpcall(function() return 1, 2 end, print))
show(xpcall(function() error({}) end, function(m) return type(m) end))
show(xpcall(function() local x = nil; return x.y end, function(m) return (m:gsub("^.-:%d+: ", "")) end))
local tb = select(2, xpcall(function() error("deep") end, debug.traceback))
show(tb:match("^[^\n]*"), tb:find("stack traceback:", 1, true) ~= nil)

print("== metamethod errors")
local mt = setmetatable({}, { __index = function(_, k) error("no key " .. k) end })
show(pcall(function() return mt.foo end))
show(pcall(function() return setmetatable({}, { __call = 1 })() end))
show(pcall(function() return setmetatable({}, { __newindex = function() error("ro", 2) end }).x end))

print("== deep recursion")
local function recurse(n) return 1 + recurse(n + 1) end
local rok, rerr = pcall(recurse, 1)
show(rok, rerr:find("stack overflow", 1, true) ~= nil)
local depth = 0
local function count() depth = depth + 1; count() end
pcall(count)
show(depth > 100)
