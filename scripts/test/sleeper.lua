-- Sleeps in a child process until a signal ends it. The child says it is
-- sleeping, so that a signal sent after that line reaches it.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

os.execute("echo sleeping; exec sleep 60")
print("woke up")
