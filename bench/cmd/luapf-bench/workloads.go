package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	gen "luapf/internal/workload"
)

// A workload is one script, in Lua and (for hello and data) in Perl, run
// with one argument by every contender.
type workload struct {
	name  string // hello, modules, data, compute
	about string // what its initialisation does, for results.md
	lua   string // script file name in the sandbox's work directory
	perl  string // Perl equivalent, or ""
	arg   string // the call's argument
}

// workloadFiles renders every file of a workload set: name → content.
// The committed copies in bench/workloads are workloadFiles(fullPlan)
// without the generated modules (TestCommittedWorkloads).
func workloadFiles(p plan) map[string]string {
	files := map[string]string{
		"prefork.lua": gen.NoopPrefork(),
		"hello.lua":   gen.HelloLua(),
		"hello.pl":    gen.HelloPerl(),
		"data.lua":    gen.DataLua(p.dataRows),
		"data.pl":     gen.DataPerl(p.dataRows),
		"compute.lua": gen.ComputeLua(p.computeIterations),
		"modules.lua": gen.ModulesLua(p.modulesCount),
		"touch.lua":   gen.TouchLua(p.touchRows[len(p.touchRows)-1]),
		"touch.pl":    gen.TouchPerl(p.touchRows[len(p.touchRows)-1]),
		microScript:   gen.TablesLua(p.microRounds),
	}
	return files
}

// microScript is the table microbenchmark's file name.
const microScript = "tables.lua"

// touchFiles renders the touch workload at each size, for luapf, for
// luapf restoring eagerly (its own script, so its own server) and for Perl.
func touchFiles(p plan) map[string]string {
	out := map[string]string{}
	for _, rows := range p.touchRows {
		out[touchScript(rows, "")] = gen.TouchLua(rows)
		out[touchScript(rows, "eager")] = gen.TouchLua(rows)
		out[touchScript(rows, "pl")] = gen.TouchPerl(rows)
	}
	return out
}

// touchScript names the touch script at a size: for luapf (kind ""), for
// luapf's eager restore ("eager") or for Perl ("pl").
func touchScript(rows int, kind string) string {
	switch kind {
	case "pl":
		return fmt.Sprintf("touch-%d.pl", rows)
	case "eager":
		return fmt.Sprintf("touch-%d-eager.lua", rows)
	}
	return fmt.Sprintf("touch-%d.lua", rows)
}

// moduleFiles renders the generated modules the modules workload requires.
func moduleFiles(p plan) map[string]string {
	out := map[string]string{}
	for name, src := range gen.Modules(p.modulesCount, p.modulesBytes) {
		out[filepath.Join(gen.ModulesDir, name+".lua")] = src
	}
	return out
}

// scalingFiles renders the data workload at each scaling size.
func scalingFiles(p plan) map[string]string {
	out := map[string]string{}
	for _, rows := range p.scalingSizes {
		out[scalingScript(rows, "lua")] = gen.DataLua(rows)
		out[scalingScript(rows, "pl")] = gen.DataPerl(rows)
	}
	return out
}

func scalingScript(rows int, ext string) string { return fmt.Sprintf("data-%d.%s", rows, ext) }

// workloads lists the workloads of plan p, in report order.
func workloads(p plan) []*workload {
	return []*workload{
		{name: "hello", about: "trivial initialisation", lua: "hello.lua", perl: "hello.pl", arg: "bench"},
		{name: "modules", about: fmt.Sprintf("requires %d generated modules, %d KB of Lua source", p.modulesCount, p.modulesBytes>>10), lua: "modules.lua", arg: "2"},
		{name: "data", about: fmt.Sprintf("builds a %d-row table (id, name, value); a call looks up one row", p.dataRows), lua: "data.lua", perl: "data.pl", arg: "777"},
		{name: "compute", about: fmt.Sprintf("%d steps of a random generator into a 16-bucket histogram (about half a second under gopher-lua in the full plan); keeps the histogram", p.computeIterations), lua: "compute.lua", arg: "7"},
	}
}

// writeFiles writes files (relative name → content) under dir.
func writeFiles(dir string, files map[string]string) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write workload: %w", err)
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			return fmt.Errorf("write workload: %w", err)
		}
	}
	return nil
}
