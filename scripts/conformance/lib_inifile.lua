-- inifile as its users use it: read a configuration file at start-up.
local prefork = require "prefork"
local inifile = require "inifile"

local dir = arg[0]:match("^(.*)/") or "."
local conf = inifile.parse(dir .. "/data/app.ini")

prefork.initialisation_complete()

print("== parsed")
print(conf.server.host, conf.server.port, type(conf.server.port), conf.server.debug, conf.server.ratio)
print(conf.paths.root, conf.paths.cache_size, conf.paths.enabled)

print("== saved in memory")
print(inifile.save("ignored", conf, "memory"))
local again = inifile.parse(inifile.save("ignored", conf, "memory") .. "\n", "memory")
print(again.server.port + 1, again.paths.cache_size * 2)
