-- A C module found on package.cpath: lua5.1 loads it with dlopen; luapf
-- says it is a C module it cannot load. (data/cmod/fake.so is empty, so
-- lua5.1 fails too, in its own words.)
local prefork = require "prefork"
package.cpath = "./data/cmod/?.so;" .. package.cpath
prefork.initialisation_complete()
print("== require of a C module")
print(pcall(require, "fake"))
print("== require of a missing module")
print(pcall(require, "nonexistent_module_x"))
