-- Takes the server's only call slot and blocks reading stdin until end of
-- file, for as long as a test needs a busy server.
local prefork = require "prefork"
prefork.initialisation_complete { max_servers = 1, pool = 0 }

io.write("waiting\n")
io.stdout:flush()
io.write("read ", #io.read("*a"), "\n")
