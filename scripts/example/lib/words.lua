-- words: a deterministic pseudo-dictionary (a stand-in for loading a real
-- word list), with a frequency rank per word.
local M = {}

local syllables = { "an", "be", "ca", "de", "el", "fo", "gi", "ho", "is", "ju", "ka", "li",
  "mo", "ne", "or", "pu", "qui", "ra", "si", "te", "un", "vo", "wa", "xe", "yo", "ze",
  "list", "en", "si", "lent", "in", "st" }

-- The Park-Miller generator, so every run builds the same words (its
-- products stay below 2^53, exact in Lua 5.1's doubles as in Lua 5.4).
local function rng(seed)
  local state = seed
  return function(n)
    state = state * 16807 % 2147483647
    return state % n + 1
  end
end

function M.build(count)
  local rand = rng(42)
  local byWord, list = {}, {}
  for _, w in ipairs({ "listen", "silent", "enlist", "tinsel", "inlets" }) do
    list[#list + 1] = w
    byWord[w] = { word = w, rank = #list }
  end
  while #list < count do
    local parts = {}
    for i = 1, rand(3) + 1 do parts[i] = syllables[rand(#syllables)] end
    local w = table.concat(parts)
    if not byWord[w] then
      list[#list + 1] = w
      byWord[w] = { word = w, rank = #list }
    end
  end
  return { byWord = byWord, list = list }
end

return M
