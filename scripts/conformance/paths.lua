-- package.path and package.cpath as lua5.1 makes them from LUA_PATH and
-- LUA_CPATH (";;" is the default; LUA_PATH_5_1 is not lua5.1's).
-- conformance: variant LUA_PATH=/opt/app/?.lua;;
-- conformance: variant LUA_PATH=/opt/only/?.lua
-- conformance: variant LUA_PATH=
-- conformance: variant LUA_PATH_5_1=/opt/five-one/?.lua;;
-- conformance: variant LUA_CPATH=/opt/lib/?.so;;
local prefork = require "prefork"
prefork.initialisation_complete()
print("== package.path")
print(package.path)
print("== package.cpath")
print(package.cpath)
print("== loaders")
print(#package.loaders, ("%q"):format(package.config))
