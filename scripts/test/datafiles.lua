-- Reads data files next to it during its initialisation, in each way the
-- libraries offer, and one that may not exist; writes one. Prints what it
-- read and the pid of the setup process that read it (the server's name).
local prefork = require "prefork"
local dir = arg[0]:match("^(.*/)") or "./"

local f = assert(io.open(dir .. "data.txt"))
local data = f:read("*l")
f:close()
local lines = {}
for line in io.lines(dir .. "lines.txt") do lines[#lines + 1] = line end
local conf = dofile(dir .. "conf.lua")
io.input(dir .. "input.txt")
local input = io.read("*l")
io.input():close()
io.input(io.stdin)
local optional = io.open(dir .. "optional.txt")
local opt = optional and optional:read("*l") or "absent"
if optional then optional:close() end
local out = assert(io.open(dir .. "written.txt", "w"))
out:write("written by the initialisation\n")
out:close()
local stat = assert(io.open("/proc/self/stat"))
local setup_pid = stat:read("*a"):match("^%d+")
stat:close()
prefork.initialisation_complete()

print(data, table.concat(lines, ","), conf.value, input, opt, "server " .. setup_pid)
