-- Shows the process context a call runs in, as the script's children see
-- it: umask, resource limits, nice value, and the time zone of os.date.
local prefork = require "prefork"
prefork.initialisation_complete()

io.stdout:setvbuf("no")
print(os.date("%H %Z", 0))
os.execute("umask; ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Ss; nice")
