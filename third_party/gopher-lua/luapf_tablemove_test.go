package lua

// luapf: tests of PATCHES.md row 28, table.insert and table.remove shifting
// the array part in one copy (shiftUp51, shiftDown51): whatever the
// table's shape, they leave it as Lua 5.1's element-by-element loops do.

import (
	"fmt"
	"testing"
)

// tableMoveReference defines insert51 and remove51, ltablib.c's tinsert
// and tremove written in Lua with rawget and rawset, and dump, which lists
// a table's contents in key order.
const tableMoveReference = `
local function insert51(t, ...)
  local n = select("#", ...)
  local e = #t + 1
  local pos, v
  if n == 1 then pos, v = e, ...
  else
    pos, v = ...
    if pos > e then e = pos end
    for i = e, pos + 1, -1 do rawset(t, i, rawget(t, i - 1)) end
  end
  rawset(t, pos, v)
end
local function remove51(t, pos)
  local e = #t
  pos = pos or e
  if not (1 <= pos and pos <= e) then return end
  local v = rawget(t, pos)
  for i = pos, e - 1 do rawset(t, i, rawget(t, i + 1)) end
  rawset(t, e, nil)
  return v
end
local function dump(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. tostring(t[k]) end
  return table.concat(out, " ") .. " #" .. #t
end
`

func TestTableShift51(t *testing.T) {
	shapes := map[string]string{
		"empty":            `{}`,
		"array":            `{1, 2, 3, 4, 5}`,
		"one":              `{"a"}`,
		"trailing nil":     `{1, 2, 3, nil}`,
		"hole":             `{1, nil, 3, 4}`,
		"hash part":        `{1, 2, 3, x = "x", [10] = 10}`,
		"numbers in hash":  `(function() local t = {} t[3] = 3 t[2] = 2 t[1] = 1 return t end)()`,
		"grown":            `(function() local t = {} for i = 1, 40 do t[i] = i end return t end)()`,
		"next key in hash": `(function() local t = {1, 2} t[4] = 4 t[3] = 3 return t end)()`,
	}
	ops := []string{
		`insert(t, "v")`, `insert(t, 1, "v")`, `insert(t, 2, "v")`, `insert(t, #t, "v")`,
		`insert(t, #t + 1, "v")`, `insert(t, #t + 3, "v")`,
		`remove(t)`, `remove(t, 1)`, `remove(t, 2)`, `remove(t, #t)`, `remove(t, #t + 1)`, `remove(t, 0)`,
	}
	for shape, ctor := range shapes {
		for _, op := range ops {
			t.Run(shape+"/"+op, func(t *testing.T) {
				L := NewState()
				defer L.Close()
				code := fmt.Sprintf(`%s
local table_insert, table_remove = table.insert, table.remove
local a, b = %s, %s
local ra, rb
do local insert, remove = table_insert, table_remove; local t = a; ra = tostring((%s)) end
do local insert, remove = insert51, remove51; local t = b; rb = tostring((%s)) end
return dump(a) .. " -> " .. ra, dump(b) .. " -> " .. rb`, tableMoveReference, ctor, ctor, op, op)
				if err := L.DoString(code); err != nil {
					t.Fatalf("run: %v", err)
				}
				got, want := L.Get(-2).String(), L.Get(-1).String()
				if got != want {
					t.Errorf("table.%s on %s:\n got  %s\n want %s (element by element)", op, ctor, got, want)
				}
			})
		}
	}
}
