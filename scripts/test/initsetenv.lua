-- Sets a variable during its initialisation (and reads it back, which is
-- no dependency on the caller's value): every call sees the value it set.
local prefork = require "prefork"
os.setenv("LUAPF_INIT_SET", "set by the initialisation")
local seen = os.getenv("LUAPF_INIT_SET")
prefork.initialisation_complete()

print(seen, os.getenv("LUAPF_INIT_SET"))
io.stdout:flush()
os.execute('echo "child: $LUAPF_INIT_SET"')
