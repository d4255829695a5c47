-- Blocks reading stdin until end of file.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

io.write("waiting\n")
io.stdout:flush()
local data = io.read("*a")
print(#data)
