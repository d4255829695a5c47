// Command luapf-bench is luapf's benchmark harness (`make bench`): it runs
// each workload (hello, modules, data, compute) under each contender (luapf
// warm with a pool hit and back to back, luapf's spawning call, luapf
// --standalone, lua5.4, luajit and plain gopher-lua cold, chiark's
// prefork-interp with its Perl library warm, and /bin/true, a Go hello
// world and a bare luapf start as floors), measures throughput with
// concurrent clients, latency and restore time against state size, and peak
// memory, and writes results.md with SVG plots.
//
//	luapf-bench [-quick] [-out DIR] [-repo DIR] [-keep] [-trace-baseline REV]
//	luapf-bench -write-workloads bench/workloads
//	luapf-bench idle-memory [-luapf BIN] [-rows N] [-pool-idle-timeout S]
//	luapf-bench trace [-repo DIR] [-luapf BIN] [-baseline REV] [-runs N]
//
// It builds luapf from the repository it is given, runs every contender in
// a sandbox of its own (its own HOME, so the user's servers are never
// touched) and stops every server it started before it exits. Latencies
// are measured with hyperfine; concurrent throughput, memory and restore
// time by the harness itself. Every figure is the median of repeated runs,
// with its interquartile range.
//
// bench/workloads holds the full plan's scripts as the harness generates
// them (with internal/workload), for reading and for running by hand;
// -write-workloads regenerates them and a test keeps them in step.
//
// The hidden subcommand `luapf-bench quiesce` is the harness's own helper:
// hyperfine runs it before each spaced run to wait until the sandbox is
// quiet. `luapf-bench idle-memory` prints the private memory of an idle
// server and its executors, before and after pool_idle_timeout
// (idlememory.go). `luapf-bench trace` prints the per-stage breakdown of a
// warm call (trace.go), which the full run also writes into results.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "quiesce" {
		os.Exit(quiesceMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "trace" {
		os.Exit(traceMain(os.Args[2:], os.Stdout))
	}
	if len(os.Args) > 1 && os.Args[1] == "idle-memory" {
		os.Exit(idleMemoryMain(os.Args[2:], os.Stdout))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("luapf-bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "small workloads and few runs (make bench-quick, CI)")
	out := fs.String("out", "bench", "directory for results.md and the plots")
	repo := fs.String("repo", ".", "the luapf repository to build and measure")
	keep := fs.Bool("keep", false, "keep the scratch directory (hyperfine exports, logs)")
	baseline := fs.String("trace-baseline", "", "trace warm calls of luapf built from this commit too, beside this tree's (the breakdown before and after)")
	writeWorkloads := fs.String("write-workloads", "", "write the full plan's workload scripts into this directory and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *writeWorkloads != "" {
		if err := writeFiles(*writeWorkloads, workloadFiles(fullPlan)); err != nil {
			fmt.Fprintf(os.Stderr, "luapf-bench: %v\n", err)
			return 1
		}
		return 0
	}
	p := fullPlan
	if *quick {
		p = quickPlan
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench1(ctx, p, *repo, *out, *keep, *baseline); err != nil {
		fmt.Fprintf(os.Stderr, "luapf-bench: %v\n", err)
		return 1
	}
	return 0
}

// bench1 runs the harness once and writes its report into outDir.
func bench1(ctx context.Context, p plan, repo, outDir string, keep bool, baseline string) (err error) {
	started := time.Now()
	repo, err = filepath.Abs(repo)
	if err != nil {
		return err
	}
	sb, err := newSandbox()
	if err != nil {
		return err
	}
	b := &bench{
		ctx: ctx, plan: p, repo: repo, sb: sb, out: os.Stdout,
		procs:        newProcScanner(sb.home, sb.root, os.Getpid()),
		luapfScripts: map[string]bool{}, perlScripts: map[string]bool{},
	}
	defer func() {
		if cerr := b.cleanup(keep); cerr != nil {
			err = errors.Join(err, fmt.Errorf("clean up the sandbox %s: %w", sb.root, cerr))
		}
		if keep {
			b.progress("scratch directory kept: %s", sb.root)
		}
	}()
	b.progress("luapf-bench: %s plan, sandbox %s", p.name, sb.root)
	if err := b.setup(); err != nil {
		return err
	}
	r := &results{plan: p, machine: describeMachine(ctx, &b.tools, repo)}
	steps := []struct {
		name string
		run  func() error
	}{
		{"latency", func() (err error) { r.latency, r.floors, err = b.runLatency(); return }},
		{"memory", func() (err error) { r.memory, err = b.runMemory(); return }},
		{"throughput", func() (err error) { r.throughput, err = b.runThroughput(); return }},
		{"restore", func() (err error) { r.restore, err = b.runRestore(); return }},
		{"trace", func() (err error) { r.trace, err = b.runTrace(baseline, p.traceRuns); return }},
		{"servers stopped", b.stopServers},
		{"scaling", func() (err error) { r.scaling, err = b.runScaling(); return }},
		{"touch", func() (err error) { r.touch, err = b.runTouch(); return }},
		{"microbenchmark", func() (err error) { r.micro, err = b.runMicro(); return }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	r.elapsed = time.Since(started)
	r.idleWaited, r.idleStarts, r.busyStarts = idleLog(b.idleLog()).read()
	r.machine.LoadEnd = loadAverage()
	if err := r.write(outDir); err != nil {
		return err
	}
	b.progress("luapf-bench: wrote %s in %v", filepath.Join(outDir, "results.md"), r.elapsed.Round(time.Second))
	for _, t := range r.targets() {
		b.progress("target   %-7s %s: %s", t.verdict(), t.Goal, t.summary())
	}
	return r.check(outDir)
}

// quiesceMain is the helper hyperfine runs before each spaced run: it
// waits until the sandbox (its HOME and directory) is quiet, after
// stopping a luapf server first when asked to.
func quiesceMain(args []string) int {
	fs := flag.NewFlagSet("luapf-bench quiesce", flag.ContinueOnError)
	home := fs.String("home", "", "the sandbox's HOME")
	root := fs.String("root", "", "the sandbox's directory")
	luapf := fs.String("luapf", "", "the luapf binary, with -kill")
	kill := fs.String("kill", "", "stop this script's luapf server first")
	idle := fs.String("idle-log", "", "then wait for the machine to be idle, logging the outcome here")
	budget := fs.Duration("idle-budget", 0, "the most time all waits logged in -idle-log may take")
	if err := fs.Parse(args); err != nil || *home == "" || *root == "" {
		fmt.Fprintln(os.Stderr, "luapf-bench quiesce: run by luapf-bench itself, with -home and -root")
		return 2
	}
	var gone []string
	if *kill != "" {
		if err := runKill(exec.Command(*luapf, "--kill", *kill)); err != nil {
			fmt.Fprintf(os.Stderr, "luapf-bench quiesce: %v\n", err)
			return 1
		}
		gone = append(gone, serverPrefix(*kill))
	}
	// hyperfine, our parent, carries the sandbox's HOME too.
	p := newProcScanner(*home, *root, os.Getpid(), os.Getppid())
	if err := p.waitQuiet(gone...); err != nil {
		fmt.Fprintf(os.Stderr, "luapf-bench quiesce: %v\n", err)
		return 1
	}
	if *idle != "" {
		if err := idleLog(*idle).waitIdle(*budget); err != nil {
			fmt.Fprintf(os.Stderr, "luapf-bench quiesce: %v\n", err)
			return 1
		}
	}
	return 0
}
