package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// The table microbenchmark compares luapf's patched copy of gopher-lua
// (third_party/gopher-lua: lazy tables add a check to every LTable method)
// with stock gopher-lua v1.1.2: bench/glua built twice, once as luapf
// builds it and once against the module of the same version from the Go
// module cache (a go.mod without luapf's replace directive), runs the same
// table-heavy script (internal/workload.TablesLua), interleaved.

// microFigures are seconds per run of the microbenchmark.
type microFigures struct {
	Patched, Stock summary
}

// stockModFiles writes, into dir, stock.mod (the repository's go.mod
// without its replace directives) and stock.sum (its go.sum, with the
// stock gopher-lua's hashes added by `go mod download`, from the module
// cache when it is there).
func stockModFiles(ctx context.Context, repo, dir string) (string, error) {
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read go.mod: %w", err)
	}
	stock := regexp.MustCompile(`(?m)^replace .*\n`).ReplaceAll(mod, nil)
	modFile := filepath.Join(dir, "stock.mod")
	if err := os.WriteFile(modFile, stock, 0o644); err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		return "", fmt.Errorf("read go.sum: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stock.sum"), sum, 0o644); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-modfile="+modFile, "github.com/yuin/gopher-lua")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("fetch stock gopher-lua for the microbenchmark: %v\n%s", err, out)
	}
	return modFile, nil
}

// buildStockGlua builds bench/glua against stock gopher-lua, as the
// harness builds every binary (static).
func (b *bench) buildStockGlua() error {
	modFile, err := stockModFiles(b.ctx, b.repo, b.sb.root)
	if err != nil {
		return err
	}
	b.tools.gluaStock = filepath.Join(b.sb.bin, "glua-stock")
	cmd := exec.CommandContext(b.ctx, "go", "build", "-modfile="+modFile, "-trimpath", "-o", b.tools.gluaStock, "./bench/glua")
	cmd.Dir = b.repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build bench/glua against stock gopher-lua: %v\n%s", err, out)
	}
	return nil
}

// runMicro times the microbenchmark on both builds of glua, in rounds, and
// checks that they print the same.
func (b *bench) runMicro() (microFigures, error) {
	script := filepath.Join(b.sb.work, microScript)
	rounds := strconv.Itoa(b.plan.microRounds)
	patched := []string{b.tools.glua, script, rounds}
	stock := []string{b.tools.gluaStock, script, rounds}
	outP, _, err := b.probe(patched)
	if err != nil {
		return microFigures{}, err
	}
	outS, _, err := b.probe(stock)
	if err != nil {
		return microFigures{}, err
	}
	if outP != outS {
		return microFigures{}, fmt.Errorf("the microbenchmark prints %q on patched gopher-lua and %q on stock", outP, outS)
	}
	w := &workload{name: "tables", arg: rounds}
	var ms []*measurement
	for _, c := range []contender{
		{key: "glua-patched", label: "gopher-lua, luapf's copy", regime: spaced, argv: func(*workload) []string { return patched }},
		{key: "glua-stock", label: "gopher-lua v1.1.2, stock", regime: spaced, argv: func(*workload) []string { return stock }},
	} {
		m, err := b.prepare(c, w, outP, b.plan.microRuns, b.plan.microRuns)
		if err != nil {
			return microFigures{}, err
		}
		ms = append(ms, m)
	}
	if err := b.measureInRounds(ms); err != nil {
		return microFigures{}, err
	}
	return microFigures{Patched: summarise(ms[0].times), Stock: summarise(ms[1].times)}, nil
}
