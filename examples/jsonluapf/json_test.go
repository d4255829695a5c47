package main

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// runLua runs src, a chunk that returns one string, with the json module
// preloaded, and returns that string or the error.
func runLua(t *testing.T, src string) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("json", loadJSON)
	if err := L.DoString(`json = require "json"` + "\n" + src); err != nil {
		return "error: " + err.(*lua.ApiError).Object.String()
	}
	return L.Get(-1).String()
}

// TestEncode: Lua values as JSON text, and what cannot be encoded.
func TestEncode(t *testing.T) {
	tests := []struct{ lua, want string }{
		{`nil`, `null`},
		{`true`, `true`},
		{`3`, `3`},
		{`-1.5`, `-1.5`},
		{`1e21`, `1e+21`},
		{`"a<b>&\"\n"`, `"a<b>&\"\n"`},
		{`"\255"`, `"\ufffd"`},
		{`{1, 2, "three"}`, `[1,2,"three"]`},
		{`{b = 1, a = {}, c = {x = false}}`, `{"a":{},"b":1,"c":{"x":false}}`},
		{`setmetatable({}, json.array)`, `[]`},
		{`setmetatable({1, 2}, json.object)`, `{"1":1,"2":2}`},
		{`{[1] = "a", [3] = "c"}`, `{"1":"a","3":"c"}`},
		{`{1, 2, n = 2}`, `{"1":1,"2":2,"n":2}`},
		{`{json.null, 1}`, `[null,1]`},
		{`json.null`, `null`},
		{`{a = {1}}, {indent = "  "}`, "{\n  \"a\": [\n    1\n  ]\n}"},
		{`function() end`, `error: <string>:2: json.encode: cannot encode a function`},
		{`(function() local t = {}; t.self = t; return t end)()`, `error: <string>:2: json.encode: cannot encode a table that contains itself`},
		{`0/0`, `error: <string>:2: json.encode: cannot encode the number -nan: JSON has no NaN or infinity`},
		{`{[true] = 1}`, `error: <string>:2: json.encode: cannot encode a table key of type boolean: JSON object keys are strings`},
		{`1, {indent = 2}`, `error: <string>:2: bad argument #2 to 'encode' (indent must be a string, not a number)`},
	}
	for _, tt := range tests {
		if got := runLua(t, `return json.encode(`+tt.lua+`)`); got != tt.want {
			t.Errorf("json.encode(%s) = %q, want %q", tt.lua, got, tt.want)
		}
	}
	if got, want := runLua(t, `return json.encoder({indent = "\t"})({1})`), "[\n\t1\n]"; got != want {
		t.Errorf("json.encoder: %q, want %q", got, want)
	}
}

// TestDecode: JSON text as Lua values, in document order, back to the
// same text; and the message for text that is not JSON.
func TestDecode(t *testing.T) {
	roundTrip := []string{
		`null`, `true`, `0`, `-2.5`, `"x\u0000y"`, `[]`, `{}`, `[[],{}]`,
		`[1,null,"two",{"k":[false]}]`, `{"a":{"b":{"c":[1,2,3]}},"z":null}`,
	}
	for _, text := range roundTrip {
		src := `local v = assert(json.decode(` + luaQuote(text) + `)); return json.encode(v)`
		if got := runLua(t, src); got != text {
			t.Errorf("json.encode(json.decode(%s)) = %s", text, got)
		}
	}
	tests := []struct{ lua, want string }{
		{`local o = json.decode('{"b": 1, "a": 2, "c": 3}'); local ks = {}; for k in pairs(o) do ks[#ks+1] = k end; return table.concat(ks)`, "bac"},
		{`return json.decode('[1, null]')[2] == json.null`, "true"},
		{`return getmetatable(json.decode('[]')) == json.array and getmetatable(json.decode('{}')) == json.object`, "true"},
		{`return tostring(json.null)`, "json.null"},
		{`return select(2, json.decode(""))`, "json.decode: the text holds no value"},
		{`return select(2, json.decode("  "))`, "json.decode: the text holds no value"},
		{`return select(2, json.decode("[1,"))`, "json.decode: the text ends inside an array or object"},
		{`return select(2, json.decode('{"a" 1}'))`, "json.decode: invalid character '1' after object key at byte offset 5"},
		{`return select(2, json.decode("1 2"))`, "json.decode: the text holds more than one value"},
		{`return select(2, json.decode("1e400"))`, "json.decode: number 1e400 is out of range"},
		{`return select(2, json.decode(string.rep("[", 2000) .. string.rep("]", 2000)))`, "json.decode: arrays and objects nested more than 1000 deep"},
	}
	for _, tt := range tests {
		if got := runLua(t, tt.lua); got != tt.want {
			t.Errorf("%s\n got %q\nwant %q", tt.lua, got, tt.want)
		}
	}
}

// luaQuote returns s as a Lua long string.
func luaQuote(s string) string { return "[==[" + s + "]==]" }

// FuzzDecode: json.decode reads what a caller sends, so any text either
// fails with its message or decodes to a value that encodes, and that
// text decodes and encodes to itself.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{``, `null`, `-0`, `1e308`, `"\u00e9\ud800"`, `[1,null,{"a":[],"b":{}}]`, `{"b":1,"a":null,"b":2}`, `[`, `1 2`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		L := lua.NewState()
		defer L.Close()
		L.PreloadModule("json", loadJSON)
		L.SetGlobal("text", lua.LString(text))
		err := L.DoString(`
local json = require "json"
local v, msg = json.decode(text)
if v == nil and msg ~= nil then
  assert(type(msg) == "string" and msg:find("^json.decode: "), msg)
  return
end
local once = json.encode(v)
local again = json.encode(assert(json.decode(once)))
assert(once == again, once .. " then " .. again)`)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
