-- Keeps a Go function that json.encoder made while the script ran (a
-- closure over its options) across initialisation_complete: refused.
local prefork = require "prefork"
local json = require "json"
local pretty = json.encoder({ indent = "  " })
prefork.initialisation_complete()
print(pretty({ 1 }))
