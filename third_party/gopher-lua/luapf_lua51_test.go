package lua

// luapf: generated from PUC-Rio Lua 5.1 (Debian's lua5.1): each want is
// what lua5.1 returns for the chunk, loaded with the chunk name "=<string>"
// as gopher-lua's LoadString names it, by _tools/luapf-lua51-cases.py;
// rerun it after changing a case. See luapf_conformance_test.go.

import "testing"

// Numbers convert to and from strings as Lua 5.1 on glibc does (PATCHES.md 9: luapf_number.go, utils.go, value.go, compile.go's folding).
func TestConformanceNumbers(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"tonumber with exponents",
			"return table.concat({tonumber(\"1e2\"), tonumber(\"5e-07\"), tonumber(\"1E+3\"), tonumber(\" 0x1F \"), tostring(tonumber(\"1e\")), tostring(tonumber(\"0x\"))}, \" \")",
			"100 5e-07 1000 31 nil nil"},
		{"tonumber of inf nan and hex floats",
			"return table.concat({tostring(tonumber(\"inf\")), tostring(tonumber(\"-nan\")), tonumber(\"0x1p4\"), tostring(tonumber(\"1e400\"))}, \" \")",
			"inf -nan 16 inf"},
		{"tonumber with a base",
			"return table.concat({tonumber(\"ff\", 16), tonumber(\"zz\", 36), tonumber(\"  11  \", 2), tostring(tonumber(\"8\", 8)), tostring(tonumber(\"1.5\", 10))}, \" \")",
			"255 1295 3 nil 1.5"},
		{"tostring as %.14g",
			"return table.concat({1e15, 123456789012345678, 2^53, 1/3, 100/3, 0.1, 2^63, 1e100, 5e-324, -0.0}, \" \")",
			"1e+15 1.2345678901235e+17 9.007199254741e+15 0.33333333333333 33.333333333333 0.1 9.2233720368548e+18 1e+100 4.9406564584125e-324 -0"},
		{"infinities and not a number",
			"local z = 0; return table.concat({tostring(1/0), tostring(-1/0), tostring(z/z), tostring(-(z/z)), tostring(math.huge == 1/0)}, \" \")",
			"inf -inf -nan nan true"},
		{"negative zero survives arithmetic",
			"local n = -1/0; local z = 0; return tostring(1/n) .. \" \" .. tostring(-z)",
			"-0 -0"},
		{"coercion in arithmetic",
			"return table.concat({\"10\" + 1, \"0x10\" + 0, \" 5 \" * 2, \"1e2\" * 1, 10 .. \"\", 1.5 .. \"\"}, \" \")",
			"11 16 10 100 10 1.5"},
		{"constant folding keeps 0 and -0 apart",
			"local a = 1/0; return tostring(math.floor(-0.0)) .. \" \" .. tostring(0)",
			"0 0"},
		{"for loop with strings",
			"local s = \"\"; for i = \"1\", \"3\" do s = s .. i end; return s",
			"123"},
	})
}

// math.random draws glibc's rand() sequence (luapf_random.go).
func TestConformanceRandom(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"seeded sequence",
			"math.randomseed(42); local t = {}; for i = 1, 6 do t[i] = math.random(100) end; t[7] = string.format(\"%.10f\", math.random()); t[8] = math.random(5, 15); return table.concat(t, \" \")",
			"4 33 70 43 21 26 0.6365585242 14"},
		{"unseeded sequence",
			"local t = {}; for i = 1, 4 do t[i] = math.random(1000) end; return table.concat(t, \" \")",
			"841 395 784 799"},
		{"seed 0 and negative seeds",
			"math.randomseed(0); local a = math.random(1000000); math.randomseed(-3); return a .. \" \" .. math.random(1000000)",
			"840188 397517"},
		{"errors",
			"return select(2, pcall(math.random, 0)) .. \"|\" .. select(2, pcall(math.random, 3, 1)) .. \"|\" .. select(2, pcall(math.random, 1, 2, 3))",
			"bad argument #1 to '?' (interval is empty)|bad argument #2 to '?' (interval is empty)|wrong number of arguments"},
	})
}

// math.modf, math.mod and math.max as Lua 5.1's.
func TestConformanceMath(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"modf of infinity, mod, max without arguments",
			"local a, b = math.modf(1/0); return tostring(a) .. \" \" .. tostring(b) .. \" \" .. math.mod(-7, 3) .. \" \" .. select(2, pcall(math.max))",
			"inf 0 -1 bad argument #1 to '?' (number expected, got no value)"},
	})
}

// Patterns match as Lua 5.1's lstrlib (luapf_strlib.go).
func TestConformancePatterns(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"frontier",
			"local a, n = (\"THE (quick) fox\"):gsub(\"%f[%a]%a+\", \"W\"); return a .. \" \" .. n",
			"W (W) W 3"},
		{"classes are C locale bytes",
			"local n = 0; for _, c in ipairs({\"%a\", \"%w\", \"%p\", \"%c\", \"%s\", \"%u\", \"%l\", \"%x\"}) do n = n * 10 + select(2, (\"Ab1 ;\\t\\n\\127xZ\\200\\195\\169\"):gsub(c, \"\")) end; return tostring(n)",
			"45133223"},
		{"captures and positions",
			"return table.concat({(\"key = value\"):match(\"^(%w+)%s*=%s*(%w+)$\")}, \",\") .. \" \" .. table.concat({(\"hello\"):find(\"l+()\")}, \",\") .. \" \" .. (\"f(a(b)c)d\"):match(\"%b()\")",
			"key,value 3,4,5 (a(b)c)"},
		{"gsub replacements",
			"local a = (\"hello world\"):gsub(\"(%w+)\", \"<%1>\"); local b = (\"abc\"):gsub(\"%w\", \"%%\"); local c = (\"$a $b\"):gsub(\"%$(%w+)\", {a = false, b = 2}); local d = (\"abc\"):gsub(\"b*\", \"-\"); return a .. b .. c .. d",
			"<hello> <world>%%%$a 2-a--c-"},
		{"gmatch anchor and empty matches",
			"local t = {}; for a in (\"^a^a\"):gmatch(\"^a\") do t[#t+1] = a end; for e in (\"abc\"):gmatch(\"x*\") do t[#t+1] = \"[\" .. e .. \"]\" end; return table.concat(t)",
			"^a^a[][][][]"},
		{"malformed pattern errors",
			"local t = {}; for _, p in ipairs({\"%\", \"[a\", \"(a\", \"%1\", \"%b\", \"%f\"}) do t[#t+1] = select(2, pcall(string.find, \"abc\", p)) end; return table.concat(t, \"|\")",
			"malformed pattern (ends with '%')|malformed pattern (missing ']')|unfinished capture|invalid capture index|unbalanced pattern|missing '[' after '%f' in pattern"},
		{"invalid replacement",
			"return select(2, pcall(string.gsub, \"abc\", \".\", function() return {} end)) .. \"|\" .. select(2, pcall(string.gsub, \"abc\", \"(a)\", \"%2\"))",
			"invalid replacement value (a table)|invalid capture index"},
	})
}

// string.format formats as Lua 5.1 with C's printf (luapf_strlib.go).
func TestConformanceFormat(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"numbers",
			"return string.format(\"%d %5.2f %e %g %g %x %X %o %5d| %-5d| %+d %05d %i %u %c %.3d %#x %#o\", 3.7, 3.14159, 12345.6789, 1e20, 0.0001, 255, 255, 8, 42, 42, 5, 42, 42, 42, 65, 7, 255, 8)",
			"3  3.14 1.234568e+04 1e+20 0.0001 ff FF 10    42| 42   | +5 00042 42 42 A 007 0xff 010"},
		{"infinities and errors",
			"return string.format(\"%f %f %.1f\", 1/0, -1/0, 1e15) .. \"|\" .. select(2, pcall(string.format, \"%d\", \"x\")) .. \"|\" .. select(2, pcall(string.format, \"%y\", 1)) .. \"|\" .. select(2, pcall(string.format, \"%s\"))",
			"inf -inf 1000000000000000.0|bad argument #2 to '?' (number expected, got string)|invalid option '%y' to 'format'|bad argument #2 to '?' (no value)"},
		{"strings are bytes",
			"return string.format(\"[%-6s][%6s][%.1s][%5.1s][%s]\", \"\\195\\169\", \"\\195\\169\", \"\\195\\169\", \"abc\", 1.5)",
			"[\xc3\xa9    ][    \xc3\xa9][\xc3][    a][1.5]"},
		{"%q",
			"return string.format(\"%q\", \"a\\nb\\0c\\\"\\\\\\r\\1\")",
			"\"a\\\nb\\000c\\\"\\\\\\r\x01\""},
	})
}

// The string library works on bytes in the C locale (luapf_strlib.go).
func TestConformanceBytes(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"upper lower and char",
			"return (\"h\\195\\169llo\"):upper() .. (\"\\195\\128\\195\\137\"):lower() .. select(2, pcall(string.char, 256))",
			"H\xc3\xa9LLO\xc3\x80\xc3\x89bad argument #1 to '?' (invalid value)"},
		{"numeric strings as counts",
			"return (\"x\"):rep(\"3\") .. (\"abc\"):sub(\"2\") .. string.char(\"65\")",
			"xxxbcA"},
		{"sub byte rep",
			"return table.concat({(\"abc\"):sub(-2), (\"abc\"):sub(0), (\"abc\"):sub(3, 2), string.byte(\"ABC\", -1), (\"x\"):rep(-1), (\"ab\"):rep(3)}, \",\")",
			"bc,abc,,67,,ababab"},
	})
}

// The table library is Lua 5.1's (luapf_tablib.go), and keyed calls in constructors (compile.go).
func TestConformanceTables(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"sort with a nil comparator",
			"local t = {3, 1, 2}; table.sort(t, nil); return table.concat(t, \",\")",
			"1,2,3"},
		{"sort order of ties",
			"local t = {}; for i = 1, 12 do t[i] = {k = i % 3, i = i} end; table.sort(t, function(a, b) return a.k < b.k end); local o = {}; for i, v in ipairs(t) do o[i] = v.i end; return table.concat(o, \",\")",
			"12,9,3,6,1,4,7,10,2,8,11,5"},
		{"sort errors",
			"return select(2, pcall(table.sort, {3, \"x\", 1})) .. \"|\" .. select(2, pcall(table.sort, {1, 2}, 42))",
			"attempt to compare string with number|bad argument #2 to '?' (function expected, got number)"},
		{"insert remove concat",
			"local t = {1, 2}; local r = {select(\"#\", table.remove({})), select(2, pcall(table.insert, t, 1, 2, 3)), select(2, pcall(table.concat, {1, {}, 3})), select(2, pcall(table.concat, {1, 2}, \",\", 1, 3))}; return table.concat(r, \"|\")",
			"0|wrong number of arguments to 'insert'|invalid value (table) at index 2 in table for 'concat'|invalid value (nil) at index 3 in table for 'concat'"},
		{"constructor with more than 25,550 items",
			"local p = {}; for i = 1, 30000 do p[i] = i end; local t = loadstring(\"return {\" .. table.concat(p, \",\") .. \"}\")(); return #t .. \" \" .. t[25551] .. \" \" .. t[30000]",
			"30000 25551 30000"},
		{"maxn of float keys",
			"return table.maxn({[\"1000\"] = true, [24.5] = 3}) .. \" \" .. table.maxn({[10] = true, [100 * math.pi] = print})",
			"24.5 314.15926535898"},
		{"foreach foreachi setn",
			"local s = \"\"; table.foreachi({\"x\", \"y\"}, function(i, v) s = s .. i .. v end); return s .. tostring(table.foreach({1}, function(k, v) return \"stop\" end)) .. select(2, pcall(table.setn, {}, 1))",
			"1x2ystop'setn' is obsolete"},
		{"constructor with a keyed call last",
			"local t = {1, 2, x = setmetatable({}, {})}; return #t .. tostring(t[3])",
			"2nil"},
	})
}

// Errors, their positions and names, tracebacks and chunk names are Lua 5.1's (luapf_errors.go).
func TestConformanceErrors(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"runtime errors name the variable",
			"local t, up = {}, nil; local r = {}; for _, f in ipairs({function() local x; return x.f end, function() return undefined_global.f end, function() return t.missing.f end, function() return up.f end, function() undefined_fn() end, function() t.m() end, function() t:m() end, function() local x; return x + 1 end, function() local s = {}; return \"x\" .. s end, function() return #up end, function() return {} < 1 end, function() return {} < {} end}) do r[#r+1] = select(2, pcall(f)) end; return table.concat(r, \"\\n\")",
			"<string>:1: attempt to index local 'x' (a nil value)\n<string>:1: attempt to index global 'undefined_global' (a nil value)\n<string>:1: attempt to index field 'missing' (a nil value)\n<string>:1: attempt to index upvalue 'up' (a nil value)\n<string>:1: attempt to call global 'undefined_fn' (a nil value)\n<string>:1: attempt to call field 'm' (a nil value)\n<string>:1: attempt to call method 'm' (a nil value)\n<string>:1: attempt to perform arithmetic on local 'x' (a nil value)\n<string>:1: attempt to concatenate local 's' (a table value)\n<string>:1: attempt to get length of upvalue 'up' (a nil value)\n<string>:1: attempt to compare table with number\n<string>:1: attempt to compare two table values"},
		{"argument errors",
			"local r = {}; for _, f in ipairs({function() return string.rep() end, function() return (\"x\"):rep() end, function() return math.floor(\"x\") end, function() return tostring() end, function() return setmetatable(1, {}) end, function() return select() end}) do r[#r+1] = select(2, pcall(f)) end; r[#r+1] = select(2, pcall(string.rep)); return table.concat(r, \"\\n\")",
			"<string>:1: bad argument #1 to 'rep' (string expected, got no value)\n<string>:1: bad argument #1 to 'rep' (number expected, got no value)\n<string>:1: bad argument #1 to 'floor' (number expected, got string)\n<string>:1: bad argument #1 to 'tostring' (value expected)\n<string>:1: bad argument #1 to 'setmetatable' (table expected, got number)\n<string>:1: bad argument #1 to 'select' (number expected, got no value)\nbad argument #1 to '?' (string expected, got no value)"},
		{"error values and levels",
			"local function thrower(l) error(\"thrown\", l) end; local r = {select(2, pcall(error, \"plain\")), tostring(select(2, pcall(error))), select(2, pcall(error, 42)), type(select(2, pcall(error, 42, 0))), select(2, pcall(thrower, 1)), select(2, pcall(thrower, 2))}; return table.concat(r, \"|\")",
			"plain|nil|42|number|<string>:1: thrown|thrown"},
		{"assert",
			"return table.concat({select(2, pcall(assert, false)), select(2, pcall(assert, nil, 42)), select(2, pcall(assert))}, \"|\")",
			"assertion failed!|42|bad argument #1 to '?' (value expected)"},
		{"for loop and index errors",
			"return table.concat({select(2, pcall(function() for i = 1, \"x\" do end end)), select(2, pcall(function() for i = nil, 2 do end end)), select(2, pcall(rawset, {}, nil, 1))}, \"|\")",
			"<string>:1: 'for' limit must be a number|<string>:1: 'for' initial value must be a number|table index is nil"},
		{"traceback",
			"local function f() error(\"deep\") end; local function g() f() end; return (select(2, xpcall(g, debug.traceback)):match(\"^(.-xpcall')\"))",
			"<string>:1: deep\nstack traceback:\n\t[C]: in function 'error'\n\t<string>:1: in function 'f'\n\t<string>:1: in function <<string>:1>\n\t[C]: in function 'xpcall'"},
		{"chunk names",
			"return table.concat({select(2, loadstring(\"x = = 1\")), select(2, loadstring(\"return +\", \"=mychunk\")), select(2, pcall(loadstring(\"error('e')\", \"@file.lua\"))), select(2, pcall(loadstring(\"\\n\\nerror('e')\"))), select(2, loadstring(\"local s = 'unfinished\"))}, \"|\")",
			"[string \"x = = 1\"]:1: unexpected symbol near '='|mychunk:1: unexpected symbol near '+'|file.lua:1: e|[string \"...\"]:3: e|[string \"local s = 'unfinished\"]:1: unfinished string near '<eof>'"},
		{"loadfile and dofile",
			"return table.concat({select(2, loadfile(\"/nonexistent/x.lua\")), select(2, pcall(dofile, \"/nonexistent/x.lua\"))}, \"|\")",
			"cannot open /nonexistent/x.lua: No such file or directory|cannot open /nonexistent/x.lua: No such file or directory"},
		{"environments",
			"return table.concat({select(2, pcall(setfenv, print, {})), select(2, pcall(getfenv, 100))}, \"|\")",
			"'setfenv' cannot change environment of given object|bad argument #1 to '?' (invalid level)"},
	})
}

// Coroutine errors and the C-call boundary (coroutinelib.go, vm.go).
func TestConformanceCoroutines(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"messages",
			"local co = coroutine.create(function() end); coroutine.resume(co); return table.concat({select(2, coroutine.resume(co)), select(2, pcall(coroutine.yield)), select(2, pcall(coroutine.resume)), select(2, pcall(coroutine.create, print))}, \"|\")",
			"cannot resume dead coroutine|attempt to yield across metamethod/C-call boundary|bad argument #1 to '?' (coroutine expected)|bad argument #1 to '?' (Lua function expected)"},
		{"yield across pcall fails as in Lua 5.1",
			"local w = coroutine.wrap(function() local ok, e = pcall(coroutine.yield, 1); return tostring(ok) .. \" \" .. e end); return w()",
			"false attempt to yield across metamethod/C-call boundary"},
		{"wrap adds the caller position",
			"local w = coroutine.wrap(function() error(\"x\") end); return select(2, pcall(function() w() end))",
			"<string>:1: <string>:1: x"},
	})
}

// debug.getinfo and the debug functions gopher-lua lacked (debuglib.go, luapf_debug.go).
func TestConformanceDebug(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"getinfo fields",
			"local function f() return debug.getinfo(1, \"nSl\") end; local i = f(); return table.concat({i.name, i.namewhat, i.what, i.short_src, i.currentline, i.linedefined, debug.getinfo(print).what, debug.getinfo(print, \"S\").short_src}, \" \")",
			"f local Lua <string> 1 1 C [C]"},
		{"main chunk lines and absent upvalues",
			"local i = debug.getinfo(1, \"S\"); return i.linedefined .. \" \" .. i.lastlinedefined .. \" \" .. select(\"#\", debug.getupvalue(print, 1)) .. select(\"#\", debug.setupvalue(function() end, 1, 2))",
			"0 0 00"},
		{"hooks",
			"local h, m, c = debug.gethook(); debug.sethook(); return tostring(h) .. \"|\" .. m .. \"|\" .. c .. \"|\" .. type(debug.getregistry())",
			"nil||0|table"},
	})
}

// collectgarbage and gcinfo (luapf_gc.go).
func TestConformanceCollector(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"collectgarbage and gcinfo answer as Lua 5.1",
			"return table.concat({type(collectgarbage(\"count\")), collectgarbage(\"collect\"), type(gcinfo()), collectgarbage(\"setpause\", 150), collectgarbage(\"setpause\", 200), select(2, pcall(collectgarbage, \"bogus\"))}, \" \")",
			"number 0 number 200 150 bad argument #1 to '?' (invalid option 'bogus')"},
	})
}

// os.execute (luapf_os.go).
func TestConformanceExecute(t *testing.T) {
	runConformance(t, []conformanceCase{
		{"os.execute returns the wait status",
			"return os.execute(\"exit 3\") .. \" \" .. os.execute()",
			"768 1"},
	})
}
