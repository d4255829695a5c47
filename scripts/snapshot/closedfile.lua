-- A file read and closed during initialisation stays a closed handle.
local prefork = require "prefork"
local f = io.open(arg[0], "r")
local firstline = f:read("*l")
f:close()

prefork.initialisation_complete()

print(firstline)
print(io.type(f), tostring(f))
print(pcall(f.read, f))
