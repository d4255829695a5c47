-- Library tables keep the script's changes; builtins work after the call.
local prefork = require "prefork"

function string.trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end
math.answer = 42
table.unpack = table.unpack or unpack
local words = { "pear", "Apple", "fig", "banana" }
local byLength = function(x, y) return #x < #y or (#x == #y and x < y) end
local env_at_init = os.getenv("LUAPF_SNAPTEST_ENV")
local out = io.stdout

prefork.initialisation_complete()

print(("x"):upper(), ("  padded  "):trim(), math.answer, math.floor(3.7), math.max(3, 9, 1))
table.sort(words, byLength)
print(table.concat(words, " "))
table.sort(words)
print(table.concat(words, " "))
print(string.format("%5.2f|%-4s|%d", math.pi, "ab", 7), ("abc"):rep(2, "-"))
print(os.getenv("LUAPF_SNAPTEST_ENV"), env_at_init ~= nil)
io.write("io.write to the call's stdout\n")
out:write("saved io.stdout handle\n")
io.stderr:write("io.stderr works\n")
print(type(io.stdin), io.type(io.stdout), tostring(io.stdout))
print(string.find("hello world", "o w"), ("%d items"):format(3))
print(select(2, pcall(error, "caught")))
