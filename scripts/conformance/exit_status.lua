-- os.exit flushes buffered output and gives its status.
local prefork = require "prefork"
local status = 3
prefork.initialisation_complete()
io.stdout:setvbuf("full")
io.write("buffered, ")
print("then exit")
os.exit(status)
