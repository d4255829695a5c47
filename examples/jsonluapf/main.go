// Command jsonluapf is luapf with one more Lua module, json, implemented in
// Go on encoding/json (json.go): a Go program that embeds luapf
// (runtime/host), as README.md's "Embedding luapf in a Go program" shows.
// It runs scripts exactly as luapf does, warm included:
//
//	go build -o bin/jsonluapf ./examples/jsonluapf
//	echo '{"items": [{"sku": "A-100", "quantity": 2}]}' | bin/jsonluapf examples/jsonluapf/quote.lua
//
// quote.lua decodes its catalogue once, in the server, and each call only
// its order.
package main

import (
	"os"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/host"
)

func main() {
	program := host.Program{Modules: map[string]lua.LGFunction{"json": loadJSON}}
	os.Exit(program.Main(os.Args))
}
