#!/usr/bin/env python3
# luapf: generates luapf_lua51_test.go from the cases below, with the
# answers of Debian's lua5.1 (which must be installed) as the wants. Each
# case is (group, name, chunk); the chunk returns a string.
import os, subprocess, sys

cases = [
 # numbers
 ("Numbers", "tonumber with exponents", 'return table.concat({tonumber("1e2"), tonumber("5e-07"), tonumber("1E+3"), tonumber(" 0x1F "), tostring(tonumber("1e")), tostring(tonumber("0x"))}, " ")'),
 ("Numbers", "tonumber of inf nan and hex floats", 'return table.concat({tostring(tonumber("inf")), tostring(tonumber("-nan")), tonumber("0x1p4"), tostring(tonumber("1e400"))}, " ")'),
 ("Numbers", "tonumber with a base", 'return table.concat({tonumber("ff", 16), tonumber("zz", 36), tonumber("  11  ", 2), tostring(tonumber("8", 8)), tostring(tonumber("1.5", 10))}, " ")'),
 ("Numbers", "tostring as %.14g", 'return table.concat({1e15, 123456789012345678, 2^53, 1/3, 100/3, 0.1, 2^63, 1e100, 5e-324, -0.0}, " ")'),
 ("Numbers", "infinities and not a number", 'local z = 0; return table.concat({tostring(1/0), tostring(-1/0), tostring(z/z), tostring(-(z/z)), tostring(math.huge == 1/0)}, " ")'),
 ("Numbers", "negative zero survives arithmetic", 'local n = -1/0; local z = 0; return tostring(1/n) .. " " .. tostring(-z)'),
 ("Numbers", "coercion in arithmetic", 'return table.concat({"10" + 1, "0x10" + 0, " 5 " * 2, "1e2" * 1, 10 .. "", 1.5 .. ""}, " ")'),
 ("Numbers", "constant folding keeps 0 and -0 apart", 'local a = 1/0; return tostring(math.floor(-0.0)) .. " " .. tostring(0)'),
 ("Numbers", "for loop with strings", 'local s = ""; for i = "1", "3" do s = s .. i end; return s'),
 ("Random", "seeded sequence", 'math.randomseed(42); local t = {}; for i = 1, 6 do t[i] = math.random(100) end; t[7] = string.format("%.10f", math.random()); t[8] = math.random(5, 15); return table.concat(t, " ")'),
 ("Random", "unseeded sequence", 'local t = {}; for i = 1, 4 do t[i] = math.random(1000) end; return table.concat(t, " ")'),
 ("Random", "seed 0 and negative seeds", 'math.randomseed(0); local a = math.random(1000000); math.randomseed(-3); return a .. " " .. math.random(1000000)'),
 ("Random", "errors", 'return select(2, pcall(math.random, 0)) .. "|" .. select(2, pcall(math.random, 3, 1)) .. "|" .. select(2, pcall(math.random, 1, 2, 3))'),
 ("Math", "modf of infinity, mod, max without arguments", 'local a, b = math.modf(1/0); return tostring(a) .. " " .. tostring(b) .. " " .. math.mod(-7, 3) .. " " .. select(2, pcall(math.max))'),
 # strings
 ("Patterns", "frontier", 'local a, n = ("THE (quick) fox"):gsub("%f[%a]%a+", "W"); return a .. " " .. n'),
 ("Patterns", "classes are C locale bytes", 'local n = 0; for _, c in ipairs({"%a", "%w", "%p", "%c", "%s", "%u", "%l", "%x"}) do n = n * 10 + select(2, ("Ab1 ;\\t\\n\\127xZ\\200\\195\\169"):gsub(c, "")) end; return tostring(n)'),
 ("Patterns", "captures and positions", 'return table.concat({("key = value"):match("^(%w+)%s*=%s*(%w+)$")}, ",") .. " " .. table.concat({("hello"):find("l+()")}, ",") .. " " .. ("f(a(b)c)d"):match("%b()")'),
 ("Patterns", "gsub replacements", 'local a = ("hello world"):gsub("(%w+)", "<%1>"); local b = ("abc"):gsub("%w", "%%"); local c = ("$a $b"):gsub("%$(%w+)", {a = false, b = 2}); local d = ("abc"):gsub("b*", "-"); return a .. b .. c .. d'),
 ("Patterns", "gmatch anchor and empty matches", 'local t = {}; for a in ("^a^a"):gmatch("^a") do t[#t+1] = a end; for e in ("abc"):gmatch("x*") do t[#t+1] = "[" .. e .. "]" end; return table.concat(t)'),
 ("Patterns", "malformed pattern errors", 'local t = {}; for _, p in ipairs({"%", "[a", "(a", "%1", "%b", "%f"}) do t[#t+1] = select(2, pcall(string.find, "abc", p)) end; return table.concat(t, "|")'),
 ("Patterns", "invalid replacement", 'return select(2, pcall(string.gsub, "abc", ".", function() return {} end)) .. "|" .. select(2, pcall(string.gsub, "abc", "(a)", "%2"))'),
 ("Format", "numbers", 'return string.format("%d %5.2f %e %g %g %x %X %o %5d| %-5d| %+d %05d %i %u %c %.3d %#x %#o", 3.7, 3.14159, 12345.6789, 1e20, 0.0001, 255, 255, 8, 42, 42, 5, 42, 42, 42, 65, 7, 255, 8)'),
 ("Format", "infinities and errors", 'return string.format("%f %f %.1f", 1/0, -1/0, 1e15) .. "|" .. select(2, pcall(string.format, "%d", "x")) .. "|" .. select(2, pcall(string.format, "%y", 1)) .. "|" .. select(2, pcall(string.format, "%s"))'),
 ("Format", "strings are bytes", 'return string.format("[%-6s][%6s][%.1s][%5.1s][%s]", "\\195\\169", "\\195\\169", "\\195\\169", "abc", 1.5)'),
 ("Format", "%q", 'return string.format("%q", "a\\nb\\0c\\"\\\\\\r\\1")'),
 ("Bytes", "upper lower and char", 'return ("h\\195\\169llo"):upper() .. ("\\195\\128\\195\\137"):lower() .. select(2, pcall(string.char, 256))'),
 ("Bytes", "numeric strings as counts", 'return ("x"):rep("3") .. ("abc"):sub("2") .. string.char("65")'),
 ("Bytes", "sub byte rep", 'return table.concat({("abc"):sub(-2), ("abc"):sub(0), ("abc"):sub(3, 2), string.byte("ABC", -1), ("x"):rep(-1), ("ab"):rep(3)}, ",")'),
 # tables
 ("Tables", "sort with a nil comparator", 'local t = {3, 1, 2}; table.sort(t, nil); return table.concat(t, ",")'),
 ("Tables", "sort order of ties", 'local t = {}; for i = 1, 12 do t[i] = {k = i % 3, i = i} end; table.sort(t, function(a, b) return a.k < b.k end); local o = {}; for i, v in ipairs(t) do o[i] = v.i end; return table.concat(o, ",")'),
 ("Tables", "sort errors", 'return select(2, pcall(table.sort, {3, "x", 1})) .. "|" .. select(2, pcall(table.sort, {1, 2}, 42))'),
 ("Tables", "insert remove concat", 'local t = {1, 2}; local r = {select("#", table.remove({})), select(2, pcall(table.insert, t, 1, 2, 3)), select(2, pcall(table.concat, {1, {}, 3})), select(2, pcall(table.concat, {1, 2}, ",", 1, 3))}; return table.concat(r, "|")'),
 ("Tables", "constructor with more than 25,550 items", 'local p = {}; for i = 1, 30000 do p[i] = i end; local t = loadstring("return {" .. table.concat(p, ",") .. "}")(); return #t .. " " .. t[25551] .. " " .. t[30000]'),
 ("Tables", "maxn of float keys", 'return table.maxn({["1000"] = true, [24.5] = 3}) .. " " .. table.maxn({[10] = true, [100 * math.pi] = print})'),
 ("Tables", "foreach foreachi setn", 'local s = ""; table.foreachi({"x", "y"}, function(i, v) s = s .. i .. v end); return s .. tostring(table.foreach({1}, function(k, v) return "stop" end)) .. select(2, pcall(table.setn, {}, 1))'),
 ("Tables", "constructor with a keyed call last", 'local t = {1, 2, x = setmetatable({}, {})}; return #t .. tostring(t[3])'),
 # errors
 ("Errors", "runtime errors name the variable", 'local t, up = {}, nil; local r = {}; for _, f in ipairs({function() local x; return x.f end, function() return undefined_global.f end, function() return t.missing.f end, function() return up.f end, function() undefined_fn() end, function() t.m() end, function() t:m() end, function() local x; return x + 1 end, function() local s = {}; return "x" .. s end, function() return #up end, function() return {} < 1 end, function() return {} < {} end}) do r[#r+1] = select(2, pcall(f)) end; return table.concat(r, "\\n")'),
 ("Errors", "argument errors", 'local r = {}; for _, f in ipairs({function() return string.rep() end, function() return ("x"):rep() end, function() return math.floor("x") end, function() return tostring() end, function() return setmetatable(1, {}) end, function() return select() end}) do r[#r+1] = select(2, pcall(f)) end; r[#r+1] = select(2, pcall(string.rep)); return table.concat(r, "\\n")'),
 ("Errors", "error values and levels", 'local function thrower(l) error("thrown", l) end; local r = {select(2, pcall(error, "plain")), tostring(select(2, pcall(error))), select(2, pcall(error, 42)), type(select(2, pcall(error, 42, 0))), select(2, pcall(thrower, 1)), select(2, pcall(thrower, 2))}; return table.concat(r, "|")'),
 ("Errors", "assert", 'return table.concat({select(2, pcall(assert, false)), select(2, pcall(assert, nil, 42)), select(2, pcall(assert))}, "|")'),
 ("Errors", "for loop and index errors", 'return table.concat({select(2, pcall(function() for i = 1, "x" do end end)), select(2, pcall(function() for i = nil, 2 do end end)), select(2, pcall(rawset, {}, nil, 1))}, "|")'),
 ("Errors", "traceback", 'local function f() error("deep") end; local function g() f() end; return (select(2, xpcall(g, debug.traceback)):match("^(.-xpcall\')"))'),
 ("Errors", "chunk names", 'return table.concat({select(2, loadstring("x = = 1")), select(2, loadstring("return +", "=mychunk")), select(2, pcall(loadstring("error(\'e\')", "@file.lua"))), select(2, pcall(loadstring("\\n\\nerror(\'e\')"))), select(2, loadstring("local s = \'unfinished"))}, "|")'),
 ("Errors", "loadfile and dofile", 'return table.concat({select(2, loadfile("/nonexistent/x.lua")), select(2, pcall(dofile, "/nonexistent/x.lua"))}, "|")'),
 ("Errors", "environments", 'return table.concat({select(2, pcall(setfenv, print, {})), select(2, pcall(getfenv, 100))}, "|")'),
 ("Coroutines", "messages", 'local co = coroutine.create(function() end); coroutine.resume(co); return table.concat({select(2, coroutine.resume(co)), select(2, pcall(coroutine.yield)), select(2, pcall(coroutine.resume)), select(2, pcall(coroutine.create, print))}, "|")'),
 ("Coroutines", "yield across pcall fails as in Lua 5.1", 'local w = coroutine.wrap(function() local ok, e = pcall(coroutine.yield, 1); return tostring(ok) .. " " .. e end); return w()'),
 ("Coroutines", "wrap adds the caller position", 'local w = coroutine.wrap(function() error("x") end); return select(2, pcall(function() w() end))'),
 ("Debug", "getinfo fields", 'local function f() return debug.getinfo(1, "nSl") end; local i = f(); return table.concat({i.name, i.namewhat, i.what, i.short_src, i.currentline, i.linedefined, debug.getinfo(print).what, debug.getinfo(print, "S").short_src}, " ")'),
 ("Debug", "main chunk lines and absent upvalues", 'local i = debug.getinfo(1, "S"); return i.linedefined .. " " .. i.lastlinedefined .. " " .. select("#", debug.getupvalue(print, 1)) .. select("#", debug.setupvalue(function() end, 1, 2))'),
 ("Collector", "collectgarbage and gcinfo answer as Lua 5.1", 'return table.concat({type(collectgarbage("count")), collectgarbage("collect"), type(gcinfo()), collectgarbage("setpause", 150), collectgarbage("setpause", 200), select(2, pcall(collectgarbage, "bogus"))}, " ")'),
 ("Execute", "os.execute returns the wait status", 'return os.execute("exit 3") .. " " .. os.execute()'),
 ("Debug", "hooks", 'local h, m, c = debug.gethook(); debug.sethook(); return tostring(h) .. "|" .. m .. "|" .. c .. "|" .. type(debug.getregistry())'),
]

groups = {}
for g, name, code in cases:
    # the chunk name that gopher-lua's LoadString gives ("<string>") is used by lua5.1 too
    r = subprocess.run(["lua5.1", "-e", "local f = assert(loadstring(io.read('*a'), '=<string>')); io.write(f())"], input=code.encode(), capture_output=True)
    if r.returncode != 0:
        print("FAIL", name, r.stderr.decode(), file=sys.stderr); continue
    groups.setdefault(g, []).append((name, code, r.stdout.decode("latin-1")))
def gostr(s):
    # Go interpreted string literal preserving bytes
    out = '"'
    for ch in s:
        o = ord(ch)
        if ch == '"': out += '\\"'
        elif ch == '\\': out += '\\\\'
        elif ch == '\n': out += '\\n'
        elif ch == '\t': out += '\\t'
        elif o < 32 or o >= 127: out += '\\x%02x' % o
        else: out += ch
    return out + '"'
docs = {
 "Numbers": "Numbers convert to and from strings as Lua 5.1 on glibc does (PATCHES.md 9: luapf_number.go, utils.go, value.go, compile.go's folding).",
 "Random": "math.random draws glibc's rand() sequence (luapf_random.go).",
 "Math": "math.modf, math.mod and math.max as Lua 5.1's.",
 "Patterns": "Patterns match as Lua 5.1's lstrlib (luapf_strlib.go).",
 "Format": "string.format formats as Lua 5.1 with C's printf (luapf_strlib.go).",
 "Bytes": "The string library works on bytes in the C locale (luapf_strlib.go).",
 "Tables": "The table library is Lua 5.1's (luapf_tablib.go), and keyed calls in constructors (compile.go).",
 "Errors": "Errors, their positions and names, tracebacks and chunk names are Lua 5.1's (luapf_errors.go).",
 "Coroutines": "Coroutine errors and the C-call boundary (coroutinelib.go, vm.go).",
 "Collector": "collectgarbage and gcinfo (luapf_gc.go).",
 "Execute": "os.execute (luapf_os.go).",
 "Debug": "debug.getinfo and the debug functions gopher-lua lacked (debuglib.go, luapf_debug.go).",
}
out = ["package lua", "", "// luapf: generated from PUC-Rio Lua 5.1 (Debian's lua5.1): each want is", "// what lua5.1 returns for the chunk, loaded with the chunk name \"=<string>\"", "// as gopher-lua's LoadString names it, by _tools/luapf-lua51-cases.py;", "// rerun it after changing a case. See luapf_conformance_test.go.", "", 'import "testing"', ""]
for g, lst in groups.items():
    out.append("// " + docs[g])
    out.append("func TestConformance%s(t *testing.T) {" % g)
    out.append("\trunConformance(t, []conformanceCase{")
    for name, code, want in lst:
        out.append("\t\t{%s,\n\t\t\t%s,\n\t\t\t%s}," % (gostr(name), gostr(code), gostr(want)))
    out.append("\t})")
    out.append("}")
    out.append("")
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "luapf_lua51_test.go"),"w").write("\n".join(out))
