-- luapf's own modules (Go code) reading tables the initialisation built,
-- which a call finds restored lazily: the option parser of
-- prefork.initialisation_complete (ForEach, Len, RawGetInt),
-- autoreload_also_check, require and package.loaded, os.exit with a
-- restored value.
local prefork = require "prefork"
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local opts = { idle_timeout = 60, autoreload_extra = { dir .. "/echo.lua", 42 } }
local typo = { pools = 2 }
local files = { dir .. "/echo.lua", dir .. "/copy.lua" }
local exits = { code = 3 }
local shelf = { loaded = package.loaded }

prefork.initialisation_complete{ idle_timeout = 60 }

print(pcall(prefork.initialisation_complete, opts))
print(pcall(prefork.initialisation_complete, typo))
prefork.autoreload_also_check(files[1], files[2])
print(shelf.loaded.prefork == prefork, package.loaded.string == string, require("prefork") == prefork)
print(#files, #opts.autoreload_extra, opts.idle_timeout)
io.stdout:flush()
os.exit(exits.code)
