-- Runs a shell that reports the signals it gets: USR1 and WINCH go on,
-- HUP ends it. The executor itself (like luapf --standalone) ignores USR1
-- and WINCH and dies of HUP.
local prefork = require "prefork"
prefork.initialisation_complete { pool = 0 }

os.execute([[
trap 'echo got USR1' USR1
trap 'echo got WINCH' WINCH
trap 'echo got HUP; exit 0' HUP
echo ready
while :; do sleep 0.1; done
]])
