-- dkjson as its users use it: decode a document at start-up, encode
-- results per call.
local prefork = require "prefork"
local json = require "dkjson"

local dir = arg[0]:match("^(.*)/") or "."
local f = assert(io.open(dir .. "/data/people.json"))
local doc, pos, err = json.decode(f:read("*a"))
f:close()
assert(doc, err)

prefork.initialisation_complete()

print("== decoded")
print(#doc.people, doc.generated, doc.ok, doc.people[1].name, doc.people[1].score)
for _, p in ipairs(doc.people) do
  print(p.name, p.age, p.score, #p.tags, p.manager == json.null, p.manager == nil)
end

print("== numbers")
for _, text in ipairs({ "1e2", "-0.5", "5e-07", "1E+3", "12345678901234567890", "0.1", "[1,2.5,-3e-2]" }) do
  local v = json.decode(text)
  print(text, type(v) == "table" and table.concat(v, " ") or v)
end

print("== encode")
local keyorder = { "name", "age", "score", "tags" }
for _, p in ipairs(doc.people) do
  print(json.encode(p, { keyorder = keyorder }))
end
print(json.encode({ 1, 2, 3, { 4, 5 } }))
print(json.encode({ pi = math.pi, big = 2^53, small = 1e-10, neg = -0.25 }, { keyorder = { "pi", "big", "small", "neg" } }))
print(json.encode("quote \" backslash \\ newline \n tab \t control \1 unicode é"))
print(json.encode({}), json.encode(json.null), json.encode(true))
print(json.encode(setmetatable({}, { __jsontype = "array" })))
print(json.encode({ nested = { deeper = { deepest = { 1 } } } }, { indent = true }))

print("== errors")
print(json.decode('{"a": }'))
print(json.decode('[1, 2'))
print(json.decode('"unterminated'))
print(pcall(json.encode, { f = print }))
print(json.encode(1/0), json.encode(0/0))
