#!/usr/bin/luapf
-- wordstats: report facts about the words given on the command line (or
-- read from stdin) using a dictionary built at start-up.
--
-- The initialisation loads three modules and builds a table of 50,000
-- words with their frequency rank and anagram class; it takes a noticeable
-- fraction of a second with plain Lua. Under luapf it runs once per server
-- and every later call only looks words up.
--
--   wordstats.lua listen silent enlist     # or: echo listen | wordstats.lua
local prefork = require "prefork"

local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/lib/?.lua;" .. package.path

local words = require "words"
local anagram = require "anagram"
local report = require "report"

local dictionary = words.build(50000)
local classes = anagram.classes(dictionary)

prefork.initialisation_complete { pool = 1 }

local queries = { ... }
if #queries == 0 then
  for line in io.lines() do
    for w in line:gmatch("%a+") do queries[#queries + 1] = w end
  end
end
if #queries == 0 then
  io.stderr:write("usage: wordstats.lua WORD... (or words on stdin)\n")
  os.exit(2)
end
local unknown = 0
for _, q in ipairs(queries) do
  local line, known = report.describe(q:lower(), dictionary, classes)
  print(line)
  if not known then unknown = unknown + 1 end
end
os.exit(unknown == 0 and 0 or 1)
