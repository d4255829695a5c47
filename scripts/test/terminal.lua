-- Interactive: says it started (with its first argument, to tell calls
-- apart on one terminal), reads a line from the terminal, echoes it. Used
-- under tmux for Ctrl-C, Ctrl-Z and fg.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

print("started " .. tostring(arg[1]))
io.stdout:flush()
print("got " .. tostring(io.read("*l")))
