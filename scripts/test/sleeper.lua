-- Says so, then sleeps in a child process until a signal ends it.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

io.write("sleeping\n")
io.stdout:flush()
os.execute("sleep 60")
print("woke up")
