#!/usr/bin/luapf
-- A small command-line tool on Debian's libraries, as a user would write
-- one: argparse reads the options, dkjson the records on standard input,
-- pl.List sorts and filters them, and dkjson writes them out.
-- conformance: args --sort age --reverse --field name --field age --min-age 30
-- conformance: stdin data/people.json
local prefork = require "prefork"
local argparse = require "argparse"
local json = require "dkjson"
local List = require "pl.List"

local parser = argparse("people", "Sort and filter people read as JSON on standard input.")
parser:option("--sort", "Field to sort by.", "name")
parser:flag("--reverse", "Sort in descending order.")
parser:option("--field", "A field to write (repeat for more).", nil):count("*")
parser:option("--min-age", "Only people at least this old."):convert(tonumber)

prefork.initialisation_complete()

local args = parser:parse()
local doc, _, err = json.decode(io.read("*a"))
if not doc then
  io.stderr:write("people: invalid JSON on standard input: ", err, "\n")
  os.exit(2)
end
local people = List(doc.people):filter(function(p) return not args.min_age or p.age >= args.min_age end)
people:sort(function(a, b)
  if args.reverse then return a[args.sort] > b[args.sort] end
  return a[args.sort] < b[args.sort]
end)
local fields = #args.field > 0 and args.field or { "name", "age", "score" }
for _, p in ipairs(people) do
  local out = {}
  for _, f in ipairs(fields) do out[f] = p[f] end
  print(json.encode(out, { keyorder = fields }))
end
print(("%d of %d people"):format(#people, #doc.people))
