-- argparse as its users use it: build the parser at start-up, parse each
-- call's arguments.
local prefork = require "prefork"
local argparse = require "argparse"

local function build()
  local parser = argparse("tool", "A tool that shows what argparse parsed.")
  parser:argument("input", "Input file.")
  parser:argument("rest", "More files."):args("*")
  parser:option("-o --output", "Output file.", "a.out")
  parser:option("-I --include", "Include locations."):count("*")
  parser:option("--level", "A level."):convert(tonumber):default("3")
  parser:option("--mode"):choices({ "fast", "slow" })
  parser:flag("-v --verbose", "Sets verbosity level."):count("0-2"):target("verbosity")
  parser:flag("-q --quiet")
  parser:mutex(parser:flag("--json"), parser:flag("--yaml"))
  parser:epilog("For more, see the manual.")
  return parser
end
local parser = build()

local function dump(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "table" then v = "{" .. table.concat(v, ",") .. "}" end
    out[#out + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(out, " ")
end

local cases = {
  { "in.txt" },
  { "in.txt", "b.txt", "c.txt", "-o", "out.txt", "-vv", "--level", "7" },
  { "-I", "x", "-Iy", "--include=z", "in", "--mode", "slow", "--json" },
  { "--output=o", "--", "-notanoption" },
  { "-q", "a", "--quiet" },
}
local failures = {
  {}, { "a", "--mode", "medium" }, { "a", "--json", "--yaml" }, { "a", "-vvv" }, { "a", "--unknown" },
  { "a", "--level" },
}

prefork.initialisation_complete()

print("== parses")
for _, args in ipairs(cases) do print(dump(parser:parse(args))) end

print("== failures")
for _, args in ipairs(failures) do
  local ok, result = parser:pparse(args)
  print(ok, ok and dump(result) or result)
end

print("== help and usage")
print(parser:get_usage())
print(parser:get_help())

print("== commands")
local git = argparse("git"):command_target("command")
git:command("commit"):option("-m --message")
git:command("push"):argument("remote"):args("?")
print(dump(git:parse({ "commit", "-m", "msg" })), dump(git:parse({ "push", "origin" })))
print(git:pparse({ "pull" }))

print("== this call's arguments")
print(dump(build():parse({ "from-call", ... })))
