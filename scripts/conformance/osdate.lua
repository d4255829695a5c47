-- os.date and os.time, as Lua 5.1 gives them through C's strftime and
-- mktime, in a zone with summer time.
-- conformance: env TZ=Europe/Berlin
-- conformance: variant TZ=America/New_York
-- conformance: variant TZ=UTC
local prefork = require "prefork"

local show = require "lib.show"

-- Times chosen to cross a year end, a leap day and a summer-time change.
local stamps = { 0, 86399, 951782400, 1000000000, 1230768000, 1300000000, 1709208000, 1711846800, 1735689599, 2000000000 }
local formats = {
  "%Y-%m-%d %H:%M:%S", "%a %A %b %B", "%c", "%d %e %j %U %W %V %G %g", "%D %F %T %R %r",
  "%h %I %p %M %n%t %y %C %u %w", "%x %X", "%s", "%%", "plain text", "%Ey %OH",
}

prefork.initialisation_complete()

print("== os.date with formats")
for _, t in ipairs(stamps) do
  for _, f in ipairs(formats) do print(t, f, os.date(f, t)) end
  print(t, "UTC", os.date("!%Y-%m-%d %H:%M:%S %j %a", t))
end

print("== os.date *t")
local fields = { "year", "month", "day", "hour", "min", "sec", "wday", "yday", "isdst" }
for _, t in ipairs(stamps) do
  local d, u = os.date("*t", t), os.date("!*t", t)
  local out = {}
  for _, k in ipairs(fields) do out[#out + 1] = k .. "=" .. tostring(d[k]) .. "/" .. tostring(u[k]) end
  print(t, table.concat(out, " "))
end

print("== os.time")
show(os.time({ year = 2000, month = 1, day = 1, hour = 0 }))
show(os.time({ year = 2000, month = 1, day = 1 }))
show(os.time({ year = 2024, month = 2, day = 30, hour = 12 }))
show(os.time({ year = 2024, month = 13, day = 1, hour = 12 }))
show(os.time({ year = 2024, month = 1, day = 0, hour = 12, min = -5, sec = 70 }))
show(os.time({ year = 2024, month = 7, day = 1, hour = 12, isdst = false }))
show(os.time({ year = 2024, month = 7, day = 1, hour = 12, isdst = true }))
show(os.time({ year = "2024", month = "3", day = "9" }))
show(pcall(os.time, { year = 2024 }))
show(pcall(os.time, { year = 2024, month = 1 }))
show(type(os.time()), os.time() > 1600000000, os.date("%Y", os.time({ year = 1999, month = 6, day = 1 })))
show(os.difftime(10, 3), os.difftime(5), type(os.clock()))

print("== round trips")
for _, t in ipairs(stamps) do
  local back = os.time(os.date("*t", t))
  io.write(tostring(back == t), " ")
end
print()
