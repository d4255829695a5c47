io.stderr:write("counter module loaded\n")
local total = 0
local M = {}
function M.add(n) total = total + n; return total end
function M.total() return total end
return M
