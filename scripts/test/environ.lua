-- Reports the environment variables named by its arguments as the call
-- sees them: in Lua, and in a child process.
local prefork = require "prefork"
prefork.initialisation_complete()

for _, name in ipairs(arg) do
  print("lua " .. name .. "=" .. (os.getenv(name) or "(unset)"))
  io.stdout:flush()
  os.execute("printf 'child %s=%s\\n' " .. name .. " \"${" .. name .. "-(unset)}\"")
end
