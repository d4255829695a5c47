-- Lets its pooled executors go after half a second without a call.
local prefork = require "prefork"
prefork.initialisation_complete { pool_idle_timeout = 0.5 }

print("served " .. arg[1])
