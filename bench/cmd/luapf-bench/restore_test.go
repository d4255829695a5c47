package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gen "luapf/internal/workload"
)

// TestMeasureRestore runs the in-process capture and restore on small
// workloads: the harness's restore figures come from this path.
func TestMeasureRestore(t *testing.T) {
	dir := t.TempDir()
	p := quickPlan
	p.modulesCount, p.modulesBytes = 2, 8<<10
	files := workloadFiles(p)
	files["data.lua"] = gen.DataLua(100)
	for k, v := range moduleFiles(p) {
		files[k] = v
	}
	files["never.lua"] = "local prefork = require 'prefork'\nprint('no initialisation_complete')\n"
	if err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, src := range moduleFiles(p) {
		sources = append(sources, src)
	}
	tests := []struct {
		script  string
		sources []string
	}{
		{"hello.lua", nil}, {"data.lua", nil}, {"compute.lua", nil}, {"modules.lua", sources},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			fig, err := measureRestore(filepath.Join(dir, tt.script), 3, tt.sources...)
			if err != nil {
				t.Fatal(err)
			}
			if fig.Bytes == 0 || fig.Restore.N != 3 || fig.Restore.Median <= 0 {
				t.Errorf("restore figures %+v", fig)
			}
			if want := map[bool]int{true: 3, false: 0}[tt.sources != nil]; fig.Compile.N != want {
				t.Errorf("%d compile samples, want %d", fig.Compile.N, want)
			}
		})
	}
	t.Run("no initialisation_complete", func(t *testing.T) {
		saved := os.Stdout
		os.Stdout, _ = os.Open(os.DevNull)
		defer func() { os.Stdout = saved }()
		_, err := measureRestore(filepath.Join(dir, "never.lua"), 3)
		if err == nil || !strings.Contains(err.Error(), "did not reach initialisation_complete") {
			t.Errorf("measureRestore of a script that never completes: %v", err)
		}
	})
}
