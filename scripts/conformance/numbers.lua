-- Number parsing, formatting and arithmetic, as Lua 5.1 does them.
local prefork = require "prefork"

-- show prints each value with its type, so that 1 and "1" differ.
local show = require "lib.show"

local strings = {
  "1e2", "5e-07", "1E+3", "1.5e+2", ".5", "5.", "0x10", "0XfF", "0x7fffffff",
  "  12  ", "\t7\n", "-0", "+5", "1e400", "-1e400", "1e-400", "0.1",
  "1e", "e1", "0x", "1 2", "", " ", "inf", "nan", "- 5", "0x1p4", "12abc",
  "1..2", "0x-1", "1e+", "--1", "١",
}
local based = {
  { "ff", 16 }, { "FF", 16 }, { "zz", 36 }, { "777", 8 }, { "102", 2 },
  { "  11  ", 2 }, { "1.5", 10 }, { "8", 8 }, { "", 10 },
  { "7fffffff", 16 }, { "z", 35 }, { "10", 36 },
}
local values = {
  1, -1, 0, -0, 1e15, 1e16, 123456789012345678, 2^53, 2^63, -2^63, 0.1, 1/3,
  -1/3, 100/3, 1e100, 1e-5, 1e-300, 3.14159265358979, 2^-1074, 1e308 * 10,
  -1e308 * 10, 255, 1e14, 99999999999999, 999999999999999, 0.1 + 0.2, 5e-324,
}

prefork.initialisation_complete()

print("== tonumber of strings")
for _, s in ipairs(strings) do show(("[%s]"):format(s), tonumber(s)) end

print("== tonumber with a base")
for _, c in ipairs(based) do show(c[1], c[2], tonumber(c[1], c[2])) end

print("== tonumber with a base and a sign")
show(tonumber("-ff", 16), tonumber("-10", 36), tonumber("+7", 8))

print("== tonumber of other values")
show(tonumber(nil), tonumber(true), tonumber({}) == nil, tonumber(42), tonumber(" 0x1F "))

print("== tostring of numbers")
for _, v in ipairs(values) do show(v) end

print("== not a number and infinities")
local inf, nan = 1/0, 0/0
show(inf, -inf, inf == math.huge, -inf == -math.huge, nan ~= nan, inf > 1e308)
show(math.huge, -math.huge, tostring(inf) == tostring(math.huge))

print("== arithmetic")
show(7 % 3, -7 % 3, 7 % -3, -7 % -3, 5.5 % 2, -5.5 % 2, 5 % 0.5)
show(7 / 2, -7 / 2, 2 ^ 0.5, 2 ^ -1, (-8) ^ (1/3) ~= (-8) ^ (1/3), 10 / 4 * 4)
show(1e308 + 1e308, -(2^53) - 1, 2^53 + 1, 3 - -3, - -3)

print("== coercion of strings in arithmetic")
show("10" + 1, "0x10" + 0, " 5 " * 2, "1e2" * 1, "3" ^ 2, -"2", "10" % 3)
show("3" .. 4, 10 .. "", 1.5 .. "", 1e100 .. "", -0 .. "", 2^63 .. "")
show(pcall(function() return "abc" + 1 end))
show(pcall(function() return {} + 1 end))

print("== comparisons")
show(1 < 2, "10" < "9", "a" < "b", "Z" < "a", 1 == 1.0, "1" == 1, -0 == 0)
show(pcall(function() return 1 < "2" end))
show(pcall(function() return {} < {} end))
show(pcall(function() return nil < 1 end))

print("== literals")
show(0x10, 0xA, 0Xa, 1e2, .5, 3., 0x7fffffff, 9007199254740993, 1E-2, 0xffffffffffff)

print("== string.format with numbers")
show(("%d"):format(3.7), ("%d"):format(-3.7), ("%5.2f"):format(3.14159))
show(("%e"):format(12345.6789), ("%E"):format(0.000123), ("%g"):format(1e20))
show(("%g"):format(0.0001), ("%g"):format(100000), ("%g"):format(1e6), ("%.3g"):format(2/3))
show(("%x"):format(255), ("%X"):format(255), ("%o"):format(8), ("%5d|"):format(42))
show(("%-5d|"):format(42), ("%+d"):format(5), ("%05d"):format(42), ("% d"):format(42))
show(("%i"):format(42), ("%u"):format(42), ("%c"):format(65), ("%.20f"):format(0.1))
show(("%5.1f|%-8.3e|"):format(2.25, 1234.5), ("%%"):format(), ("%.0f"):format(0.5))
show(("%.0f"):format(1.5), ("%.0f"):format(2.5), ("%10.4f|"):format(-1/3), ("%#x"):format(255))
show(("%#o"):format(8), ("%.3d"):format(7), ("%x"):format(2^31), ("%d"):format(2^31))
show(("%f"):format(1/0), ("%f"):format(-1/0), ("%.1f"):format(1e15), ("%g"):format(2^63))
show(pcall(string.format, "%d", "x"))
show(pcall(string.format, "%a", 1))
show(pcall(string.format, "%y", 1))

print("== numeric for loops")
local steps = {}
for i = 1, 3 do steps[#steps + 1] = i end
for i = 3, 1, -1 do steps[#steps + 1] = i end
for i = 0, 1, 0.25 do steps[#steps + 1] = i end
for i = 1, 0 do steps[#steps + 1] = "never" end
for i = "1", "2" do steps[#steps + 1] = i end
print(table.concat(steps, " "))
show(pcall(function() for i = 1, "x" do end end))
show(pcall(function() for i = nil, 2 do end end))
show(pcall(function() for i = 1, 2, {} do end end))
