#!/usr/bin/luapf
-- Prints the CPUs this process may run on, as the kernel lists them. A
-- luapf client pins itself to one CPU while it calls a server; neither a
-- script it runs itself nor a server it starts may inherit that.
local prefork = require "prefork"
prefork.initialisation_complete()
for line in io.lines("/proc/self/status") do
  if line:match("^Cpus_allowed_list:") then print(line) end
end
