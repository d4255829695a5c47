-- Says which program runs it: the Go modules it registers, and what its
-- json module's encode makes of a table. Run by jsonluapf and by
-- otherluapf, which have different modules.
local prefork = require "prefork"
local json = require "json"
local names = {}
for name in pairs(package.preload) do names[#names + 1] = name end
table.sort(names)
local modules = table.concat(names, " ")
prefork.initialisation_complete()
print(modules, json.encode({ 1, 2 }))
