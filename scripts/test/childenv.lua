-- Runs env(1) as a child: the environment the call passes on, in order.
local prefork = require "prefork"
prefork.initialisation_complete()

io.stdout:flush()
os.execute("env")
