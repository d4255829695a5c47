-- Prints many lines: for pipelines such as `| head -1`.
local prefork = require "prefork"
prefork.initialisation_complete()

for i = 1, tonumber(arg[1] or "100000") do print("line " .. i) end
