-- A no-op prefork module, so a luapf script also runs under plain Lua:
--   LUA_PATH='scripts/plainlua/?.lua;;' lua5.4 scripts/hello.lua
return { initialisation_complete = function() end, autoreload_also_check = function() end }
