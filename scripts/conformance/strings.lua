-- The string library: patterns, format and byte semantics, as Lua 5.1.
local prefork = require "prefork"

local show = require "lib.show"

-- bytes shows a string byte by byte, so that output never depends on how
-- a terminal or a diff shows non-ASCII bytes.
local function bytes(s)
  return (s:gsub("[^%w%p ]", function(c) return ("<%d>"):format(c:byte()) end))
end

local text = "THE (quick) fox jumps over the lazy dog; 42 times, at 3.14!"
local utf8 = "h\195\169llo w\195\182rld" -- "héllo wörld" in UTF-8

prefork.initialisation_complete()

print("== find")
show(text:find("quick")) show(text:find("(%d+)")) show(text:find("o", 15)) show(text:find("o", -5))
show(text:find("x", 100)) show(text:find("", 100)) show(text:find("", 3)) show(text:find("(", 1, true))
show(text:find("%s(%a+)%s", 10)) show(("aaa"):find("a-", 2)) show(("abc"):find("b", -10))
show(pcall(string.find, text, "("))

print("== match")
show(text:match("%((%a+)%)")) show(text:match("(%d+)%.(%d+)")) show(text:match("()fox()"))
show(("key = value"):match("^(%w+)%s*=%s*(%w+)$")) show(("  trim  "):match("^%s*(.-)%s*$"))
show(("[[nested]]"):match("%[(%b[])%]")) show(("f(a(b)c)d"):match("%b()")) show(("2024-01-31"):match("(%d+)-(%d+)-(%d+)"))
show(("hello"):match(".-(l+)(.*)")) show(("hello"):match("^(h?)(e?)x?")) show(("abc"):match("((a)(b))"))
show(("x=1, y=2"):match("y=(%d)", 3)) show(("hello"):match("l", -2)) show(("\0a\0"):match("%z(a)%z") ~= nil)

print("== frontier and classes")
show(("THE (quick) fox"):gsub("%f[%a]%a+", "W"))
show(("hello world from Lua"):gsub("%f[%w]%w+", function(w) return w:upper() end))
show(("THE (quick) fox"):find("%f[%a]%a+", 5)) show(("aaa bbb"):gsub("%f[%S].-%f[%s]", "<%0>"))
show(("x1 y22 z333"):gsub("%f[%d]%d+%f[%D]", "#"))
for _, class in ipairs({ "%a", "%c", "%d", "%l", "%p", "%s", "%u", "%w", "%x" }) do
  local n = select(2, ("Ab1 ;\t\n\127xZ\200"):gsub(class, ""))
  local m = select(2, ("Ab1 ;\t\n\127xZ\200"):gsub(class:upper(), ""))
  io.write(class, "=", n, "/", m, " ")
end
print()
show(("a.b-c"):gsub("[%.%-]", "_")) show(("a]b"):gsub("[]]", "!")) show(("a^b"):gsub("[%^b]", "?"))
show(("a-z"):gsub("[a%-z]", "."))  show(("hello"):gsub("[^l]", ""))

print("== gsub replacements")
show(("hello world"):gsub("o", "0")) show(("hello world"):gsub("o", "0", 1)) show(("hello"):gsub("", "-"))
show(("hello world"):gsub("(%w+)", "<%1>")) show(("hello world"):gsub("%w+", "%0 %0"))
show(("abc"):gsub("%w", "%%")) show(("$name is $age"):gsub("%$(%w+)", { name = "Ann", age = 7 }))
show(("$a $b"):gsub("%$(%w+)", { a = false })) show(("a b c"):gsub("%w", function(c) if c == "b" then return nil end return c:upper() end))
show(("abc"):gsub(".", { a = 1, b = 2.5 })) show(("hello"):gsub("l+", function(s) return #s end))
show(pcall(string.gsub, "abc", "(a)", "%2"))
show(pcall(string.gsub, "abc", "a", {}, -1))
show(pcall(string.gsub, "abc", ".", function() return {} end))
show(("abc"):gsub("b*", "-")) show(("one two"):gsub("(%w+) (%w+)", "%2 %1"))

print("== gmatch")
local words = {}
for w in text:gmatch("%a+") do words[#words + 1] = w end
print(table.concat(words, ","))
local pairs_ = {}
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. ":" .. v end
print(table.concat(pairs_, ","))
local pos = {}
for p in ("abab"):gmatch("()b") do pos[#pos + 1] = p end
print(table.concat(pos, ","))
local anchored = {}
for a in ("^a^a"):gmatch("^a") do anchored[#anchored + 1] = a end
print(#anchored)
local empty = {}
for e in ("abc"):gmatch("x*") do empty[#empty + 1] = "[" .. e .. "]" end
print(table.concat(empty))

print("== malformed patterns")
for _, p in ipairs({ "%", "[a", "(a", "a)", "%1", "%b", "%f", "[a-", "(()" }) do
  local ok, err = pcall(string.find, "abc", p)
  print(p, ok, err)
end

print("== format of strings")
show(("[%s]"):format("x"), ("[%5s]"):format("ab"), ("[%-5s]"):format("ab"), ("[%.2s]"):format("abcdef"))
show(("[%5.1s]"):format("abc"), ("[%s]"):format(12), ("[%s]"):format(1.5), ("[%10s]"):format(1/3))
show(bytes(("[%-6s]"):format("\195\169")), bytes(("[%6s]"):format("\195\169")), bytes(("[%.1s]"):format("\195\169")))
show(pcall(string.format, "%s", {}))
show(pcall(string.format, "%s"))
show(pcall(string.format, "%d", nil))
show(pcall(string.format, "%10"))
show(pcall(string.format, "%s %s", true, nil))
show(pcall(string.format, "%s", setmetatable({}, { __tostring = function() return "T" end })))

print("== quoting with %q")
print(("%q"):format('he said "hi"\\ and left'))
print(("%q"):format("line1\nline2\r\0end\1\127\255\t"))
print(("%q"):format(""))
print(("%q"):format(42))
print(("%q"):format(1/3))
show(pcall(string.format, "%q", {}))
local roundtrip = loadstring("return " .. ("%q"):format("a\0b\nc\"d\\e\r\200"))()
show(roundtrip == "a\0b\nc\"d\\e\r\200")

print("== bytes, not characters")
show(#utf8, utf8:len(), bytes(utf8:upper()), bytes(utf8:lower()), bytes(("ÀÉ"):lower()))
show(bytes(utf8:sub(2, 3)), bytes(utf8:sub(-6)), utf8:byte(2), utf8:byte(-1), bytes(utf8:reverse()))
show(string.byte("ABC", 1, -1)) show(string.byte("ABC", 10)) show(string.byte("", 1))
show(bytes(string.char(72, 195, 169, 0, 255)), #string.char(), bytes(("\0"):rep(3)))
show(pcall(string.char, 256)) show(pcall(string.char, -1)) show(pcall(string.char, "x"))
show("é" > "z", "a\0b" < "a\0c", "a" < "a\0", ("x"):rep(0), ("x"):rep(-1), ("ab"):rep(3))
show(bytes(("%c%c"):format(0, 200)), ("abc"):sub(2), ("abc"):sub(-2, -1), ("abc"):sub(0), ("abc"):sub(3, 2))
show(("abc"):sub(-100, 100), ("abc"):sub(2, -2), ("abc"):sub(4))
show(bytes(("\195\169t\195\169"):gsub("\195\169", "e")), select(2, utf8:gsub(".", "")))
show(("hello"):upper(), ("MiXeD 123"):lower(), ("x"):len(), #"\0\0")

print("== tostring and concatenation")
show(tostring(nil), tostring(true), tostring("s"), 1 .. 2, "a" .. 1.25)
show(pcall(function() return "a" .. {} end))
show(pcall(function() return "a" .. nil end))
show(pcall(function() return "a" .. true end))
show(string.len(123), string.upper(1e3), string.rep(5, 2))
