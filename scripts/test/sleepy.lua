-- Each call sleeps; at most two run at once.
local prefork = require "prefork"
prefork.initialisation_complete { max_servers = 2, pool = 0 }

os.execute("sleep " .. (arg[1] or "0.5"))
print("slept")
