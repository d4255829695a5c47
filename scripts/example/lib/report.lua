-- report: one line of facts per queried word.
local anagram = require "anagram"
local M = {}

function M.describe(word, dictionary, classes)
  local entry = dictionary.byWord[word]
  local others = {}
  for _, w in ipairs(classes[anagram.key(word)] or {}) do
    if w ~= word then others[#others + 1] = w end
  end
  local rank = entry and ("rank " .. entry.rank) or "not in the dictionary"
  local anagrams = #others > 0 and (#others .. " anagrams: " .. table.concat(others, ", ", 1, math.min(#others, 5))) or "no anagrams"
  return string.format("%-12s %s; %s", word, rank, anagrams), entry ~= nil
end

return M
