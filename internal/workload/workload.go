// Package workload generates the Lua scripts and modules that luapf's
// benchmarks run: the same sources feed the Go benchmarks of the snapshot
// and the side-by-side harness in bench/, so their figures are comparable.
package workload

import (
	"fmt"
	"strings"
)

// moduleFunction is one function of a generated module: string constants,
// a table constructor, a loop, a string.format call and a closure, about
// 500 bytes, like ordinary application code.
const moduleFunction = `
function M.f%[1]d(x, y)
  local t = { name = "m%[2]d_f%[1]d", weight = %[1]d, tags = { "alpha%[1]d", "beta", "gamma" } }
  local acc = 0
  for i = 1, (x or 3) do
    if i %% 2 == 0 then acc = acc + i * %[3]d else acc = acc - t.weight end
  end
  local s = string.format("%%s:%%d:%%s", t.name, acc, tostring(y))
  if #t.tags > 2 and s:find("m%[2]d") then
    s = s:upper() .. t.tags[1]
  end
  return s, acc, function(z) return acc + (z or 0) + %[3]d end
end
`

// Module returns the source of generated module number m with n functions.
func Module(m, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- generated module %d for luapf benchmarks\nlocal M = {}\n", m)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, moduleFunction, i, m, i%7+1)
	}
	b.WriteString("return M\n")
	return b.String()
}

// Modules returns count generated modules of about totalBytes in all, named
// bench_mod1, bench_mod2, ... (the map key is the module name).
func Modules(count, totalBytes int) map[string]string {
	perFunction := len(Module(0, 1)) - len(Module(0, 0))
	functions := totalBytes / count / perFunction
	if functions < 1 {
		functions = 1
	}
	out := make(map[string]string, count)
	for m := 1; m <= count; m++ {
		out[fmt.Sprintf("bench_mod%d", m)] = Module(m, functions)
	}
	return out
}

// DataInit is Lua that builds the data workload's table of rows (id, name,
// value) in a global named rows.
func DataInit(rows int) string {
	return fmt.Sprintf(`rows = {}
for i = 1, %d do
  rows[i] = { id = i, name = "row" .. i, value = i * 0.5 }
end
`, rows)
}
