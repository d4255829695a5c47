-- Keeps what the json module's loader made everywhere a script can keep a
-- value during its initialisation, and uses each in every call.
local prefork = require "prefork"
local json = require "json"

local encode = json.encode                       -- a local
codec = { decode = json.decode, nested = { json } } -- a global table's fields
local function pretty(v)                         -- an upvalue
  return json.encode(v, { indent = " " })
end
local empty = setmetatable({}, json.array)       -- the module's metatable
local decoded = assert(json.decode('{"list": [1, null, "x"], "empty": []}'))
json.version = "set during initialisation"       -- a change to the module's table

prefork.initialisation_complete()

print(encode({ arg = { ... } }))
print(codec.nested[1].encode(codec.decode(io.read("*a"))))
print(pretty({ empty = empty }))
print(encode(decoded), decoded.list[2] == json.null, getmetatable(decoded.empty) == json.array)
print(json.version, require("json") == codec.nested[1], package.loaded.json == json)
