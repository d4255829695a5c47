-- The io library as its users use it: reading standard input, writing
-- files, and the messages of failures.
-- conformance: stdin data/input.txt
local prefork = require "prefork"
local show = require "lib.show"

local missing = "/nonexistent/dir/file.txt"

prefork.initialisation_complete()

print("== reading standard input")
show(io.read("*l"))
show(io.read("*n", "*n"))
show(io.read("*n", "*n"))
show(io.read("*l"))
show(io.read(5))
show(io.read("*l"))
show(io.read("*a"))
show(io.read("*l"), io.read("*a"), io.read(0))

print("== writing")
io.write("numbers ", 1, " ", 1.5, " ", 1/3, " ", 1e100, "\n")
show(io.write() == io.stdout, io.type(io.stdout), io.type(42))
local path = os.tmpname()
local f = assert(io.open(path, "w"))
show(f:write("a\n", 2, "\n", 3.25, "\n") == f, f:seek("cur"), f:seek("set", 2), f:seek("end"))
f:close()
show(io.type(f), pcall(f.write, f, "x"))
local lines = {}
for l in io.lines(path) do lines[#lines + 1] = l end
print(table.concat(lines, ","))
local g = assert(io.open(path, "r"))
show(g:read("*n", "*n", "*n"), g:read("*n"))
g:close()
local h = assert(io.open(path, "a+"))
h:write("appended\n")
h:seek("set")
show(h:read("*a"))
h:close()
show(os.remove(path), io.open(path) == nil)

print("== failures")
show(io.open(missing))
show(io.open(missing, "w"))
show(io.open(missing, "z"))
show(os.remove(missing))
show(os.rename(missing, missing .. ".new"))
show(pcall(io.lines, missing))
show(io.close == nil, pcall(io.stdout.seek, io.stdout, "bad"))
