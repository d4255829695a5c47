-- anagram: group words by their sorted letters.
local M = {}

function M.key(word)
  local letters = {}
  for c in word:gmatch(".") do letters[#letters + 1] = c end
  table.sort(letters)
  return table.concat(letters)
end

function M.classes(dictionary)
  local classes = {}
  for _, w in ipairs(dictionary.list) do
    local k = M.key(w)
    local class = classes[k]
    if not class then
      class = {}
      classes[k] = class
    end
    class[#class + 1] = w
  end
  return classes
end

return M
