#!/usr/bin/env jsonluapf
-- Prices an order (JSON on stdin) against a catalogue (catalogue.json) and
-- prints the quote as JSON. Run warm by jsonluapf, the example program
-- that adds a json module written in Go to luapf: the catalogue is read
-- and decoded once, in the server; each call decodes only its order.
--
--   echo '{"items": [{"sku": "A-100", "quantity": 2}]}' | jsonluapf quote.lua
--   jsonluapf quote.lua --pretty < order.json
--
-- Exit status: 0 with a quote, 1 for an item not in the catalogue, 2 for
-- an order that is not JSON.
local prefork = require "prefork"
local json = require "json"

local here = arg[0]:match("^(.*)/") or "."
local file = assert(io.open(here .. "/catalogue.json"))
local catalogue = assert(json.decode(file:read("*a")))
file:close()

local by_sku = {}
for _, product in ipairs(catalogue.products) do
  by_sku[product.sku] = product
end

-- The module's functions, kept in a table of the script's own: they
-- cross initialisation_complete by path, like the standard library's.
local codec = { read = json.decode, write = json.encode }

prefork.initialisation_complete()

local options = arg[1] == "--pretty" and { indent = "  " } or nil
local order, err = codec.read(io.read("*a"))
if not order then
  io.stderr:write("quote: ", err, "\n")
  os.exit(2)
end

local lines, total = setmetatable({}, json.array), 0
for i, item in ipairs(order.items or {}) do
  local product = by_sku[item.sku]
  if not product then
    io.stderr:write(("quote: item %d: no product %s in the catalogue\n"):format(i, tostring(item.sku)))
    os.exit(1)
  end
  local quantity = item.quantity or 1
  local amount = product.price_cents * quantity
  total = total + amount
  lines[#lines + 1] = { sku = item.sku, name = product.name, quantity = quantity, amount_cents = amount }
end
print(codec.write({ currency = catalogue.currency, lines = lines, total_cents = total }, options))
