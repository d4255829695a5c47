-- load, loadstring, setfenv/getfenv and coroutines, as Lua 5.1.
local prefork = require "prefork"

local show = require "lib.show"

local pieces = { "return ", "1 ", "+ ", "41" }

prefork.initialisation_complete()

print("== loadstring and load")
show(loadstring("return 1 + 1")())
show(loadstring("return ...")(1, 2))
local i = 0
show(load(function() i = i + 1; return pieces[i] end)())
show(type(load(function() return nil end)))
local f, err = loadstring("return +", "=mychunk")
show(f, err)
show(loadstring("x = = 1"))
show(loadstring("local x = 'unfinished"))
show(type(loadstring("return 1", "named")))
show(pcall(loadstring("error('in chunk')", "=custom")))
show(pcall(loadstring("error('in chunk')", "@file.lua")))
show(pcall(loadstring("error('in chunk')")))
show(pcall(loadstring("local a = nil; return a.b", "=idx")))
show(loadstring("return 'a' .. 'b'", "return 'a' .. 'b'")())
show(pcall(loadstring("\n\nerror('third line')")))
show(pcall(loadstring(("x = 1\n"):rep(3) .. "error('long chunk name here, longer than the limit of sixty characters for sure')")))
show(dofile == nil, type(loadfile), loadfile("/nonexistent/file.lua"))
show(pcall(dofile, "/nonexistent/file.lua"))

print("== syntax errors the parser words differently")
show(loadstring("for"))
show(loadstring("local function () end"))
show(loadstring("if x then"))

print("== string.dump and hooks")
show(pcall(string.dump, function() end))
show(pcall(debug.sethook, function() end, "l"))

print("== environments")
local env = { print = print, tostring = tostring }
local g = loadstring("x = 10; return x, tostring(y)")
setfenv(g, env)
show(g())
show(env.x, rawget(_G, "x"))
show(getfenv(g) == env, getfenv(0) == _G, getfenv(1) == _G, getfenv(print) == _G)
local function envuser() return value_in_env end
setfenv(envuser, { value_in_env = "from env" })
show(envuser())
show(pcall(setfenv, print, {}))
show(pcall(getfenv, 100))
local mod = setmetatable({}, { __index = _G })
local h = loadstring("a_global = 1; return type(print)")
setfenv(h, mod)
show(h(), mod.a_global, a_global)
show(select("#", setfenv(envuser, _G)))

print("== coroutines")
local co = coroutine.create(function(a, b)
  show("start", a, b)
  local c = coroutine.yield(a + b)
  show("got", c)
  local d, e = coroutine.yield(c * 2)
  show("got", d, e)
  return "done"
end)
show(coroutine.resume(co, 1, 2))
show(coroutine.status(co))
show(coroutine.resume(co, 10))
show(coroutine.resume(co, "x", "y"))
show(coroutine.status(co))
show(coroutine.resume(co))
local gen = coroutine.wrap(function() for n = 1, 3 do coroutine.yield(n) end end)
show(gen(), gen(), gen())
local bad = coroutine.create(function() error("inside") end)
show(coroutine.resume(bad))
show(coroutine.status(bad))
local badobj = coroutine.create(function() error({}) end)
show(type(select(2, coroutine.resume(badobj))))
show(coroutine.running())
local inner
inner = coroutine.create(function() show(coroutine.running() == inner, coroutine.status(inner)) end)
coroutine.resume(inner)
show(pcall(coroutine.yield))
show(pcall(coroutine.resume, coroutine.running()))
local wrapped = coroutine.wrap(function() error("wrapped failure") end)
show(pcall(wrapped))
show(pcall(coroutine.create, 1))
local nested = coroutine.wrap(function()
  local ok, v = pcall(function() return coroutine.yield("from pcall") end)
  return "after", ok, v
end)
show(nested())
show(pcall(nested, "resumed"))
local sum = 0
for v in coroutine.wrap(function() for k = 1, 100 do coroutine.yield(k) end end) do sum = sum + v end
show(sum)

print("== varargs")
local function va(...) return select("#", ...), ... end
show(va()) show(va(nil)) show(va(1, nil, 3)) show(va(unpack({ 1, 2, nil, 4 }, 1, 4)))
local function packed(...) local t = { ... }; return #t, t[1] end
show(packed(5, 6))
local function oldarg(...) return arg and arg.n end
show(oldarg(1, 2, 3))
show(pcall(string.format, "%s|%s", (va(1, 2))))

print("== closures")
local fns = {}
for k = 1, 3 do fns[k] = function() return k end end
show(fns[1](), fns[2](), fns[3]())
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc() inc()
show(get())
local b
pcall(function() local a = "kept"; b = function() return a end; error("e") end)
show(b())
local shared = 1
local function read() return shared end
pcall(error, "boom")
shared = 2
show(read())
local w
local ok = pcall(function()
  local v = 1
  w = function() v = v + 1; return v end
  error("x")
end)
show(ok, w(), w())
