-- Ends the call as its first argument says: "error" raises an uncaught
-- error, "loop" spins until killed, a number exits with that status.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

local how = arg[1]
if how == "error" then
  error("failed on purpose")
elseif how == "loop" then
  io.write("looping\n")
  io.stdout:flush()
  while true do end
end
os.exit(tonumber(how) or 0)
