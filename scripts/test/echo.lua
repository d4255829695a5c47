-- Writes its arguments to stdout and the values of the environment
-- variables LUAPF_E0, LUAPF_E1, ... (up to the first unset one) to stderr,
-- each followed by a NUL byte, so that a test can compare them byte for
-- byte. `...` and the arg table must agree.
local prefork = require "prefork"
prefork.initialisation_complete()

local args = { ... }
if select("#", ...) ~= #arg then
  error(select("#", ...) .. " values in ..., " .. #arg .. " in arg")
end
for i = 1, #args do
  if args[i] ~= arg[i] then error("... and arg differ at " .. i) end
  io.stdout:write(args[i], "\0")
end
local i = 0
while os.getenv("LUAPF_E" .. i) do
  io.stderr:write(os.getenv("LUAPF_E" .. i), "\0")
  i = i + 1
end
