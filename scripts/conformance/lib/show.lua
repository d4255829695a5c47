-- show prints its arguments with their types, so that 1 and "1" differ in
-- the output the conformance cases compare.
return function(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = type(v) .. ":" .. tostring(v)
  end
  print(table.concat(out, " "))
end
