package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"luapf/internal/workload"
)

// The benchmarks behind the snapshot's cost model (run with
// go test -run '^$' -bench . ./runtime/snapshot): restoring compiled code
// against compiling it, restoring a large table against building it, and
// snapshot bytes per value.

// modulesScript writes the ~1 MB modules workload and a script requiring it.
func modulesScript(b *testing.B) (script string, sources []string) {
	dir := b.TempDir()
	mods := workload.Modules(20, 1<<20)
	names := make([]string, 0, len(mods))
	for name, src := range mods {
		names = append(names, name)
		sources = append(sources, src)
		if err := os.WriteFile(filepath.Join(dir, name+".lua"), []byte(src), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	sort.Strings(names)
	var s strings.Builder
	fmt.Fprintf(&s, "local prefork = require 'prefork'\npackage.path = %q\n", dir+"/?.lua")
	for _, n := range names {
		fmt.Fprintf(&s, "require %q\n", n)
	}
	s.WriteString("prefork.initialisation_complete()\n")
	script = filepath.Join(dir, "main.lua")
	if err := os.WriteFile(script, []byte(s.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return script, sources
}

// BenchmarkModulesCompile compiles the ~1 MB of module source, as a cold
// start must.
func BenchmarkModulesCompile(b *testing.B) {
	_, sources := modulesScript(b)
	total := 0
	for _, s := range sources {
		total += len(s)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt := &testRuntime{mode: "oracle"}
		L, _ := rt.newState()
		for _, src := range sources {
			if _, err := L.LoadString(src); err != nil {
				b.Fatal(err)
			}
		}
		L.Close()
	}
}

// BenchmarkModulesRestore restores a state holding the same modules loaded.
func BenchmarkModulesRestore(b *testing.B) {
	script, _ := modulesScript(b)
	benchRestore(b, script)
}

func dataScript(b *testing.B, rows int) string {
	path := filepath.Join(b.TempDir(), "data.lua")
	src := "local prefork = require 'prefork'\n" + workload.DataInit(rows) + "prefork.initialisation_complete()\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkDataInit runs the 200,000-row initialisation, as a cold start
// must.
func BenchmarkDataInit(b *testing.B) {
	for i := 0; i < b.N; i++ {
		rt := &testRuntime{mode: "oracle"}
		L, _ := rt.newState()
		if err := L.DoString(workload.DataInit(200000)); err != nil {
			b.Fatal(err)
		}
		L.Close()
	}
}

// BenchmarkDataRestore restores the state the same initialisation built.
func BenchmarkDataRestore(b *testing.B) {
	benchRestore(b, dataScript(b, 200000))
}

// benchRestore captures script once and restores it b.N times, reporting
// the snapshot size.
func benchRestore(b *testing.B, script string) {
	snap, err := captureFile(b, script)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(snap)), "snapshot-bytes")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt := &testRuntime{mode: "restore"}
		L, _ := rt.newState()
		if _, err := Restore(L, snap, RestoreOptions{Validated: true, Eager: true}); err != nil {
			b.Fatal(err)
		}
		L.Close()
	}
}

// BenchmarkBytesPerValue reports the snapshot bytes spent per row of the
// data workload (a table of three fields: id, name, value).
func BenchmarkBytesPerValue(b *testing.B) {
	small, err := captureFile(b, dataScript(b, 0))
	if err != nil {
		b.Fatal(err)
	}
	const rows = 10000
	big, err := captureFile(b, dataScript(b, rows))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(big)-len(small))/rows, "bytes/row")
	b.ReportMetric(float64(len(big)-len(small))/(rows*4), "bytes/value")
}

// BenchmarkIndexBuiltins is what setup (and a standalone run) pays to
// index the library objects of its fresh state; an executor walks the
// paths its snapshot names instead (lookupBuiltin).
func BenchmarkIndexBuiltins(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	for b.Loop() {
		IndexBuiltins(L)
	}
}
