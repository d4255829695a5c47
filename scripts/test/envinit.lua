-- Reads MODE during its initialisation: a call with another MODE must see
-- an initialisation that read its own value. Prints the pid of the setup
-- process that ran the initialisation, which names the server.
local prefork = require "prefork"
local stat = assert(io.open("/proc/self/stat"))
local setup_pid = stat:read("*a"):match("^%d+")
stat:close()
local mode = os.getenv("MODE")
prefork.initialisation_complete()

print("init MODE=" .. tostring(mode), "call MODE=" .. tostring(os.getenv("MODE")), "server " .. setup_pid)
