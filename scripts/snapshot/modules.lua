-- Modules: loaded once at initialisation, private state kept; a module
-- first required after the call loads normally.
local prefork = require "prefork"
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/lib/?.lua;" .. package.path

local counter = require "counter"
counter.add(5)

prefork.initialisation_complete()

local again = require "counter"
print(again == counter, counter.add(1), counter.total())
local late = require "late"
print(late.greeting("call"))
print(package.loaded.late == late)
