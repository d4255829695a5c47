package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// results is everything one run measured.
type results struct {
	plan       plan
	machine    machineInfo
	elapsed    time.Duration
	floors     map[string]summary
	latency    latencyResults
	throughput throughputResults
	memory     map[string]memoryFigures
	restore    map[string]restoreFigures
	scaling    []scalingPoint
	touch      []touchPoint
	micro      microFigures
	trace      *traceResults

	// Spaced runs that found the machine idle or busy, and the seconds
	// spent waiting for idle moments (see waitIdle).
	idleWaited             float64
	idleStarts, busyStarts int
}

// colors of the contenders on the plots.
var colors = map[string]string{
	"luapf-hit": "#1f5fa8", "luapf-b2b": "#4f8fd8", "luapf-spawn": "#9cc3ee", "luapf-standalone": "#7aa6d6",
	"lua5.4": "#2ca02c", "luajit": "#17becf", "gopher-lua": "#9467bd",
	"perl-hit": "#ff7f0e", "perl-b2b": "#ffb070", "restore": "#d62728",
	"true": "#999999", "go-hello": "#777777", "luapf-version": "#555555",
	"eager-restore": "#e377c2",
}

// touchColors tell the counts of rows a touch call reads apart on the
// touch plots; the contender is told by the line's style.
var touchColors = []string{"#1f5fa8", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"}

// plot file names, relative to results.md.
const (
	scalingPlot     = "plots/scaling.svg"
	throughputPlot  = "plots/throughput.svg"
	touchCallsPlot  = "plots/touch-calls.svg"
	touchMemoryPlot = "plots/touch-memory.svg"
)

func latencyPlot(workload string) string { return "plots/latency-" + workload + ".svg" }

// write writes results.md and the plots into dir.
func (r *results) write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(scalingPlot)), 0o755); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	files := map[string]string{"results.md": r.markdown(), scalingPlot: r.scalingChart(), throughputPlot: r.throughputChart(),
		touchCallsPlot: r.touchChart(false), touchMemoryPlot: r.touchChart(true)}
	for _, w := range workloads(r.plan) {
		files[latencyPlot(w.name)] = r.latencyChart(w.name)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// check makes sure the run measured every figure the report promises and
// wrote every file: what `make bench-quick` relies on in CI.
func (r *results) check(dir string) error {
	var missing []string
	t := &tools{}
	for _, w := range workloads(r.plan) {
		for _, c := range contenders(t) {
			if c.argv(w) != nil && !r.latency[w.name][c.key].valid() {
				missing = append(missing, "latency of "+c.label+" on "+w.name)
			}
		}
		if !r.memory[w.name].Executor.valid() || !r.restore[w.name].Restore.valid() {
			missing = append(missing, "memory or restore of "+w.name)
		}
	}
	for _, c := range floors(t) {
		if !r.floors[c.key].valid() {
			missing = append(missing, "floor "+c.label)
		}
	}
	for _, w := range []string{"hello", "data"} {
		for _, key := range throughputContenders {
			if !r.throughput[w][key].valid() {
				missing = append(missing, "throughput of "+key+" on "+w)
			}
		}
	}
	if len(r.scaling) != len(r.plan.scalingSizes) {
		missing = append(missing, "scaling")
	}
	for _, p := range r.scaling {
		if !p.ExecutorPrivate.valid() || !p.Eager.valid() {
			missing = append(missing, fmt.Sprintf("private memory or eager restore at %d rows", p.Rows))
		}
	}
	if len(r.touch) != len(r.plan.touchRows)*len(r.plan.touches) {
		missing = append(missing, "touch matrix")
	}
	for _, p := range r.touch {
		for _, s := range []summary{p.Lazy, p.Eager, p.Perl, p.LazyMem, p.EagerMem, p.PerlMem} {
			if !s.valid() {
				missing = append(missing, fmt.Sprintf("touch figures at %d rows, %s touched", p.Rows, p.Touch))
				break
			}
		}
	}
	if r.trace == nil || len(r.trace.builds) == 0 || len(r.trace.builds[len(r.trace.builds)-1].calls) == 0 {
		missing = append(missing, "the per-stage breakdown of a warm call")
	}
	if !r.micro.Patched.valid() || !r.micro.Stock.valid() {
		missing = append(missing, "microbenchmark")
	}
	names := []string{"results.md", scalingPlot, throughputPlot, touchCallsPlot, touchMemoryPlot}
	for _, w := range workloads(r.plan) {
		names = append(names, latencyPlot(w.name))
	}
	for _, name := range names {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			missing = append(missing, filepath.Join(dir, name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the run is incomplete: %s", strings.Join(missing, "; "))
	}
	return nil
}

// speed describes a ratio of times a/b as "0.12 (8.3× faster)".
func speed(a, b summary) string {
	q := ratio(a, b)
	if math.IsNaN(q) {
		return "—"
	}
	if q <= 1 {
		return fmt.Sprintf("%.3g (%.3g× faster)", q, 1/q)
	}
	return fmt.Sprintf("%.3g (%.3g× slower)", q, q)
}

func (r *results) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.machine
	p("# luapf benchmark results")
	p("")
	p("Written by `make bench` (`bench/cmd/luapf-bench`, %s plan) on %s, in %s of wall time. "+
		"Each figure is the median of repeated runs, with the interquartile range in brackets; "+
		"how each is measured is under [Method](#method).", r.plan.name, m.Date.Format("2006-01-02 15:04 MST"), r.elapsed.Round(time.Second))
	if r.plan.name != "full" {
		p("")
		p("**This is a quick run (`make bench-quick`): small workloads and few runs, to check that the harness works. Its figures are not the committed results.**")
	}
	p("")
	p("## Headline")
	p("")
	p("A warm luapf call with a pool hit against the alternatives, as the ratio of luapf's time to theirs (below 1: luapf is faster).")
	p("")
	var rows [][]string
	for _, w := range workloads(r.plan) {
		l := r.latency[w.name]
		rows = append(rows, []string{w.name, formatSeconds(l["luapf-hit"].Median),
			speed(l["luapf-hit"], l["lua5.4"]), speed(l["luapf-hit"], l["perl-hit"]), speed(l["luapf-hit"], r.floors["go-hello"])})
	}
	mdTable(p, []string{"workload", "luapf warm (pool hit)", "vs lua5.4 cold", "vs prefork-interp + Perl warm", "vs Go floor (hello-world Go binary)"}, rows)
	p("")
	p("## Targets")
	p("")
	ts := r.targets()
	rows = nil
	for _, t := range ts {
		verdict := "**missed**"
		if t.Met() {
			verdict = "met"
		}
		bound := "≤ "
		if !t.AtMost {
			bound = "≥ "
		}
		rows = append(rows, []string{t.Goal, fmt.Sprintf("%.3g", t.Ratio), fmt.Sprintf("%s%g", bound, t.Limit), verdict, t.Detail})
	}
	mdTable(p, []string{"target", "ratio", "bound", "verdict", "figures (medians)"}, rows)
	worst := largestGap(ts)
	p("")
	if worst.Met() {
		p("**Largest gap:** every target is met; the closest is \"%s\" at %.3g against a bound of %g.", worst.Goal, worst.Ratio, worst.Limit)
	} else {
		p("**Largest gap:** \"%s\": %.3g against a bound of %g, missed by a factor of %.3g (%s).", worst.Goal, worst.Ratio, worst.Limit, worst.Gap(), worst.Detail)
	}
	p("")
	p("## Latency of one call")
	p("")
	r.latencyTable(p)
	p("")
	r.traceSection(p)
	p("")
	p("## Throughput")
	p("")
	p("%d concurrent clients, each calling back to back for %v; calls per second over %d repeats.", r.plan.clients, r.plan.throughputD, r.plan.throughputN)
	p("")
	rows = nil
	for _, key := range throughputContenders {
		rows = append(rows, []string{throughputLabel(key), r.throughput["hello"][key].formatRate("/s"), r.throughput["data"][key].formatRate("/s")})
	}
	mdTable(p, []string{"contender", "hello", "data"}, rows)
	p("")
	p("![throughput](%s)", throughputPlot)
	p("")
	p("## Scaling with the size of the state")
	p("")
	p("The data workload from %d to %d rows. The pool hit is the latency the targets judge. A back-to-back call finds the pool's executor ready or restores one of its own on the call's path. Restore is measured in process, lazily (what an executor does) and eagerly (see [Method](#method)). Private memory is that of the server and of its pooled executor, restored and waiting for a call.", r.plan.scalingSizes[0], r.plan.scalingSizes[len(r.plan.scalingSizes)-1])
	p("")
	rows = nil
	for _, s := range r.scaling {
		rows = append(rows, []string{fmt.Sprint(s.Rows), s.Hit.formatTime(), s.B2B.formatTime(), s.Perl.formatTime(), s.Lua54.formatTime(),
			s.Restore.formatTime(), s.Eager.formatTime(), formatBytes(s.SnapSize), formatKiB(s.ServerPrivate), formatKiB(s.ExecutorPrivate)})
	}
	mdTable(p, []string{"rows", "luapf warm, pool hit", "luapf warm, back to back", "prefork-interp + Perl warm", "lua5.4 cold", "restore", "eager restore", "snapshot", "server private", "pooled executor private"}, rows)
	p("")
	p("![scaling](%s)", scalingPlot)
	p("")
	r.touchSection(p)
	p("")
	r.microSection(p)
	p("")
	p("## Memory")
	p("")
	p("Peak resident set size (VmHWM), median of %d samples (range in brackets when they differ), and luapf's private memory (Private_* of /proc/PID/smaps_rollup). The executor is a pooled one, restored and waiting for its call; lua5.4 is a whole cold run, for scale.", r.plan.memorySample)
	p("")
	rows = nil
	for _, w := range workloads(r.plan) {
		f := r.memory[w.name]
		rows = append(rows, []string{w.name, formatKiB(f.Server), formatKiB(f.Executor), formatKiB(f.PerlServer), formatKiB(f.Lua54), formatKiB(f.ServerPrivate), formatKiB(f.ExecutorPrivate)})
	}
	mdTable(p, []string{"workload", "luapf server", "luapf executor", "Perl server", "lua5.4 cold", "luapf server private", "luapf executor private"}, rows)
	p("")
	p("## Restore")
	p("")
	p("In process: a lazy restore (the roots only: what an executor does before its call) against an eager one (every object, collection held off) and the collection an eager restore was followed by (runtime.GC, so that the call's first allocations would not pay for collecting the restored heap). A lazy executor collects nothing ahead of its call: what its call loads, it collects as any allocation, and the touch matrix above shows the whole cost.")
	p("")
	rows = nil
	for _, w := range workloads(r.plan) {
		f := r.restore[w.name]
		rows = append(rows, []string{w.name, formatBytes(f.Bytes), f.Restore.formatTime(), f.Eager.formatTime(), f.GC.formatTime(), f.Compile.formatTime()})
	}
	mdTable(p, []string{"workload", "snapshot", "restore", "eager restore", "collection after eager restore", "compile the module sources"}, rows)
	p("")
	r.method(p)
	return b.String()
}

func (r *results) latencyTable(p func(string, ...any)) {
	ws := workloads(r.plan)
	head := []string{"contender"}
	for _, w := range ws {
		head = append(head, w.name)
	}
	var rows [][]string
	for _, c := range contenders(&tools{}) {
		row := []string{c.label}
		for _, w := range ws {
			row = append(row, r.latency[w.name][c.key].formatTime())
		}
		rows = append(rows, row)
	}
	mdTable(p, head, rows)
	p("")
	p("Floors, the same for every workload:")
	p("")
	rows = nil
	for _, c := range floors(&tools{}) {
		rows = append(rows, []string{c.label, r.floors[c.key].formatTime()})
	}
	mdTable(p, []string{"floor", "one run"}, rows)
	p("")
	for _, w := range ws {
		p("![latency on %s](%s)", w.name, latencyPlot(w.name))
	}
}

func (r *results) method(p func(string, ...any)) {
	m := r.machine
	p("## Method")
	p("")
	p("Machine: %s, %d cores, %s of memory, %s. Load average %s at the start and %s at the end of the run.", m.CPU, m.Cores, m.Memory, m.Kernel, m.LoadStart, m.LoadEnd)
	p("")
	p("Other work on the machine: each spaced run waits up to %v for a moment when processes outside the harness use under %g cores over %v (within a budget of %v for the whole run). "+
		"In this run %d of %d spaced runs started on an idle machine and %d on a busy one, after %.0f s of waiting in all; "+
		"runs on a busy machine show up as spread, and back-to-back runs and throughput cannot wait at all.",
		idleWaitRun, idleBusy, machineWindow, r.plan.idleBudget, r.idleStarts, r.idleStarts+r.busyStarts, r.busyStarts, r.idleWaited)
	p("")
	var rows [][]string
	for _, t := range m.Tools {
		rows = append(rows, []string{t[0], t[1]})
	}
	mdTable(p, []string{"tool", "version"}, rows)
	p("")
	p("Workloads (bench/workloads holds the scripts of the full plan; the harness generates them with internal/workload into a scratch directory, the 1 MB of modules included):")
	p("")
	for _, w := range workloads(r.plan) {
		perl := ""
		if w.perl != "" {
			perl = ", and `" + w.perl + "` for the Perl peer"
		}
		p("- **%s**: `%s`%s: %s. A call is `%s %s`.", w.name, w.lua, perl, w.about, w.lua, w.arg)
	}
	p("")
	p(`How the figures are taken:

- Every contender's output is checked against luapf --standalone's before it is timed; a contender that fails is an error, never a figure.
- Single-call latency is hyperfine's wall time (`+"`hyperfine -N`"+`, no shell) over %d runs (%d for calls slower than %v), taken in %d interleaved rounds: each round runs a share of every contender of a workload in turn (the floors with hello, every size of the scaling plot together), so that figures that are compared were taken over the same stretch of time. %d warm-up runs precede a contender's first round, one each later round. "Spaced" runs (every contender except the back-to-back ones) start only when the harness's sandbox is quiet: the same processes, using under %v of CPU over %v (hyperfine --prepare runs `+"`luapf-bench quiesce`"+`). For luapf that means the pool has refilled, so the call is a pool hit. Back-to-back runs follow each other at once. A spawning call is preceded by `+"`luapf --kill`"+` and waits until the old server is gone.
- lua5.4, luajit and plain gopher-lua (bench/glua) run the same script cold, with a no-op prefork.lua on package.path; the Perl peer is `+"`prefork-interp -U perl SCRIPT.pl ARG`"+` (chiark-utils' C client and Proc::Prefork::Interp), its scripts ending with POSIX::_exit after flushing, which avoids the library's known spurious SIGINT status.
- Throughput: the harness starts the clients itself (Go os/exec), all calling the same script; a call still running when the window closes counts for the part of it inside the window. The repeats go round the contenders in turn.
- Restore time is measured inside the harness with runtime/snapshot, as an executor does it: a fresh gopher-lua state with the prefork module, then snapshot.Restore of the state captured at initialisation_complete and validated beforehand (as the server does): lazily, and eagerly with garbage collection off, followed by runtime.GC, timed apart. It excludes the executor's process start and the mapping of the image. The modules target compares the lazy restore with compiling the workload's generated module sources (LoadString of each, what a cold start must do before running them).
- Peak RSS is VmHWM from /proc/PID/status, the processes found by their command lines within the sandbox; private memory is the sum of the Private_* lines of /proc/PID/smaps_rollup: pages no other process maps. A luapf server maps the snapshot image its executors restore from, so its private memory includes the image pages no executor is reading, and an executor's the memory it built itself, as a forked child's holds only the pages it wrote.
- The touch matrix: the touch workload's server keeps no executor ready (pool = 0), so every call restores its own state on its path and a back-to-back call's time is the whole cost of a call; calls per second are 1 / the median. luapf's eager figures come from a server started with LUAPF_RESTORE=eager (its own copy of the script). A call's private memory is what the call itself reads from /proc/self/smaps_rollup at its end (a luapf executor, or the Perl peer's forked child), over %d calls.
- The microbenchmark: bench/glua built twice, as luapf builds it (its patched copy of gopher-lua) and with a go.mod without luapf's replace directive (stock gopher-lua v1.1.2 from the Go module cache), runs %s %d times each in interleaved rounds; both must print the same.
- Isolation: every contender runs with the harness's own HOME (XDG_RUNTIME_DIR unset), in its own working directory; at the end the harness stops each server with `+"`luapf --kill`"+` or `+"`prefork-interp --kill`"+` and checks that no process of the sandbox is left. The C client keeps its sockets under the passwd entry's home (~/.prefork-interp), which it does not let a caller move; its ident includes the sandbox's working directory, so no other server is touched, and --kill removes the harness's sockets.`,
		r.plan.runs, r.plan.slowRuns, slowCall, r.plan.rounds, r.plan.warmup, quietCPU, quietWindow, r.plan.touchMemRuns, microScript, r.plan.microRuns)
}

// latencyChart is the bar chart of one workload's latencies and the floors.
func (r *results) latencyChart(workload string) string {
	c := barChart{Title: "One call of the " + workload + " workload (median, whiskers: IQR)", Axis: "wall time per call (log scale)", Format: formatTick}
	add := func(key, label string, s summary) {
		if s.valid() {
			c.Bars = append(c.Bars, bar{Label: label, Value: s.Median, Lo: s.P25, Hi: s.P75, Color: colors[key], ValueLabel: formatSeconds(s.Median)})
		}
	}
	for _, ct := range contenders(&tools{}) {
		add(ct.key, ct.label, r.latency[workload][ct.key])
	}
	for _, ct := range floors(&tools{}) {
		add(ct.key, ct.label, r.floors[ct.key])
	}
	return c.svg()
}

// throughputChart shows calls per second with concurrent clients.
func (r *results) throughputChart() string {
	c := barChart{Title: fmt.Sprintf("Calls per second, %d concurrent clients (median, whiskers: IQR)", r.plan.clients), Axis: "calls per second (log scale)",
		Format: formatCount}
	for _, w := range []string{"hello", "data"} {
		for _, key := range throughputContenders {
			if s := r.throughput[w][key]; s.valid() {
				c.Bars = append(c.Bars, bar{Label: w + ": " + throughputLabel(key), Value: s.Median, Lo: s.P25, Hi: s.P75,
					Color: colors[key], ValueLabel: fmt.Sprintf("%.0f/s", s.Median)})
			}
		}
	}
	return c.svg()
}

// scalingChart plots latency and restore time against the number of rows.
func (r *results) scalingChart() string {
	mk := func(name, key string, dashed bool, get func(scalingPoint) summary) series {
		s := series{Name: name, Color: colors[key], Dashed: dashed}
		for _, pt := range r.scaling {
			v := get(pt)
			s.Points = append(s.Points, point{X: float64(pt.Rows), Y: v.Median, Lo: v.P25, Hi: v.P75})
		}
		return s
	}
	c := lineChart{
		Title: "data workload: time against rows in the state", XAxis: "rows in the initialised table (log scale)", YAxis: "time (log scale)",
		FormatX: formatCount, FormY: formatTick,
		Series: []series{
			mk("luapf warm, pool hit", "luapf-hit", false, func(p scalingPoint) summary { return p.Hit }),
			mk("luapf warm, back to back", "luapf-b2b", false, func(p scalingPoint) summary { return p.B2B }),
			mk("luapf restore (in process)", "restore", true, func(p scalingPoint) summary { return p.Restore }),
			mk("luapf eager restore (in process)", "eager-restore", true, func(p scalingPoint) summary { return p.Eager }),
			mk("prefork-interp + Perl warm", "perl-hit", false, func(p scalingPoint) summary { return p.Perl }),
			mk("lua5.4 cold", "lua5.4", true, func(p scalingPoint) summary { return p.Lua54 }),
		},
	}
	return c.svg()
}

// mdTable writes a Markdown table.
func mdTable(p func(string, ...any), head []string, rows [][]string) {
	p("| %s |", strings.Join(head, " | "))
	p("|%s", strings.Repeat("---|", len(head)))
	for _, row := range rows {
		p("| %s |", strings.Join(row, " | "))
	}
}
