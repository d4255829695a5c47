-- For the load tests: echoes its token (argument 1) and its stdin, with
-- stdin's length and Adler-32 checksum, says the token on stderr, and ends
-- as argument 2 says: an exit status, or "error" for an uncaught error.
local prefork = require "prefork"

-- Some initialisation worth keeping warm.
local squares = {}
for i = 1, 10000 do squares[i] = i * i end

prefork.initialisation_complete()

local token, how = arg[1], arg[2]
local data = io.read("*a")
local a, b = 1, 0
for i = 1, #data do
  a = (a + string.byte(data, i)) % 65521
  b = (b + a) % 65521
end
io.stdout:write("token ", token, " len ", #data, " adler32 ", b * 65536 + a, " check ", squares[100], "\n", data)
io.stderr:write("token ", token, "\n")
if how == "error" then error("failed on purpose: " .. token) end
os.exit(tonumber(how) or 0)
