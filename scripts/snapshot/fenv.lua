-- setfenv/getfenv environments survive the snapshot.
local prefork = require "prefork"

local sandbox = setmetatable({ label = "sandbox" }, { __index = _G })
local function where() return label end
setfenv(where, sandbox)
local plain = function() return label end
label = "global"

prefork.initialisation_complete()

print(where(), plain(), getfenv(where) == sandbox, getfenv(plain) == _G)
sandbox.label = "changed"
print(where())
