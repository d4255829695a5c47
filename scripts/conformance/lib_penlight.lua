-- Penlight as its users use it: List, stringx, tablex, pretty, class,
-- OrderedMap, utils, text.
local prefork = require "prefork"
local List = require "pl.List"
local stringx = require "pl.stringx"
local tablex = require "pl.tablex"
local pretty = require "pl.pretty"
local class = require "pl.class"
local OrderedMap = require "pl.OrderedMap"
local utils = require "pl.utils"
local text = require "pl.text"
local seq = require "pl.seq"
local Set = require "pl.Set"

local Animal = class()
function Animal:_init(name) self.name = name end
function Animal:__tostring() return "Animal(" .. self.name .. ")" end
function Animal:speak() return "..." end
local Dog = class(Animal)
function Dog:speak() return "Woof" end

local words = List { "pear", "apple", "fig", "banana", "cherry" }

prefork.initialisation_complete()

print("== List")
local sorted = words:clone():sort()
print(sorted, #sorted)
print(words:clone():sort(function(a, b) return #a < #b or (#a == #b and a < b) end))
print(words:map(string.upper):concat(","))
print(words:filter(function(w) return #w > 4 end))
print(List.range(1, 10):reduce("+"), List.range(1, 5):map(function(x) return x * x end))
print(List { 3, 1, 2 }:sort():reverse(), List { 1, 2, 3 }:slice(2, 3), words:index("fig"))
local l = List()
l:append(1):append(2):extend { 3, 4 }
print(l, l:pop(), l, l:contains(2), List { 1, 2 } == List { 1, 2 })
print(List.split("a,b,,c", ","), List { 5, 1, 4 }:sorted(), List { 1, List { 2, 3 } })

print("== stringx")
print(stringx.split("a b  c"), stringx.split("k=v=w", "=", 2), stringx.strip("  padded  "))
print(stringx.startswith("prefix-rest", "prefix"), stringx.endswith("file.lua", ".lua"), stringx.replace("aaa", "a", "b", 2))
print("[" .. stringx.rjust("7", 4, "0") .. "]", "[" .. stringx.ljust("ab", 5) .. "]", "[" .. stringx.center("x", 5, "*") .. "]")
print(stringx.count("banana", "an"), stringx.title("hello big world"), stringx.shorten("a long sentence here", 10))
print(stringx.splitlines("one\ntwo\r\nthree"), stringx.expandtabs("a\tb", 4), stringx.isdigit("123"), stringx.lines("x\ny")())

print("== tablex")
local t = { b = 2, a = 1, c = 3 }
print(List(tablex.keys(t)):sort(), tablex.size(t), tablex.deepcompare({ 1, { 2 } }, { 1, { 2 } }))
print(tablex.reduce("+", { 1, 2, 3, 4 }), pretty.write(tablex.map(function(v) return v * 10 end, t), ""))
print(pretty.write(tablex.index_map { "x", "y" }, ""), tablex.find({ 5, 6, 7 }, 6), pretty.write(tablex.range(1, 2, 0.5), ""))
print(pretty.write(tablex.zip({ 1, 2 }, { "a", "b" }), ""), tablex.count_map { "a", "b", "a" }.a)
for k, v in tablex.sort(t) do io.write(k, "=", v, " ") end
print()

print("== pretty")
print(pretty.write({ 1, 2, "three", { four = 4 }, n = 1.5, ["key with space"] = true }))
print(pretty.write({ list = { 1, 2 }, map = { x = 1 } }, "  "))
print(pretty.read("{1,2,x='y'}")[3], pretty.read("{a={b=2}}").a.b, pretty.number(123456789), pretty.number(2^20, "M"))

print("== class")
local d = Dog("Rex")
print(d, d:speak(), Animal("Cat"):speak(), d:is_a(Animal), Dog:class_of(d), Animal:class_of(d), d.name)

print("== OrderedMap, Set, seq, utils, text")
local om = OrderedMap()
om:set("z", 1) om:set("a", 2) om:set("m", 3)
print(om, om:keys(), om:values())
print(Set { 1, 2, 3 } * Set { 2, 3, 4 } == Set { 2, 3 }, Set.len(Set { "a", "b" }))
print(seq.sum { 1, 2, 3 }, seq.copy(seq.map(function(x) return x + 1 end, { 1, 2 }))[2], seq.count({ 1, 2, 1 }, function(x) return x == 1 end))
print(utils.split("a:b:c", ":")[3], utils.quote_arg("it's"), utils.choose(true, "y", "n"), utils.escape("a.b*c"))
print(text.dedent("    indented\n      more\n"), text.wrap("the quick brown fox jumps over the lazy dog", 10)[2])
print(text.Template("hello $who, ${n} times"):substitute { who = "world", n = 3 })
print(("%s=%5.2f"):format("pi", math.pi), utils.unpack({ 1, 2 }), utils.memoize(function(x) return x * 2 end)(21))
