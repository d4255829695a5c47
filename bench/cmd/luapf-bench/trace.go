package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	gen "luapf/internal/workload"
	"luapf/preforklib/calltrace"
)

// The per-stage breakdown of one warm call (issue 14): luapf's client,
// server and executor append timestamps to a file when LUAPF_TRACE names
// one (preforklib/calltrace), and the harness runs hello calls with a pool
// hit, one at a time, each on a quiet sandbox, and reads what each call
// wrote. Two builds can be traced side by side, interleaved: this tree's
// and one built from an earlier commit (-trace-baseline), so that
// results.md shows the breakdown before and after a change from one run.
//
//	luapf-bench trace [-repo DIR] [-luapf BIN] [-baseline REV] [-runs N]
//
// prints the breakdown as Markdown. `make bench` puts it in results.md.

// traceCheckpoint is one event on a warm call's critical path, in order;
// a stage is the time from one checkpoint to the next present one.
type traceCheckpoint struct {
	role, event string
	stage       string // what happens from the previous checkpoint to this one
}

// traceCheckpoints are the critical path of a warm call: each event
// happens after the one before it in every build, whichever process
// records it. The first stage starts when the harness starts the client;
// traceExitStage ends when it has reaped it.
var traceCheckpoints = []traceCheckpoint{
	{"client", calltrace.ClientStart, "client process start: exec, Go runtime, package initialisation"},
	{"client", calltrace.ClientConnect, "client before connecting: command line, run directory, ident (and the request, where it is sent early)"},
	{"client", calltrace.ClientGreeting, "connect; the server (or the pooled executor it lent its socket) accepts, checks the caller and the script, greets; the client reads the greeting (and, first, sends the early request it built)"},
	{"client", calltrace.ClientRequest, "the client builds its request after the greeting: call context, working directory, signal forwarding"},
	{"executor", calltrace.ExecutorCall, "the request reaches the pooled executor (through the server, or from the client directly)"},
	{"executor", calltrace.ExecutorScript, "the executor takes the call: files, working directory, environment, context"},
	{"executor", calltrace.ExecutorExit, "the script (hello)"},
	{"client", calltrace.ClientStatus, "exit report and wait status reach the client (through the server, or from the executor directly)"},
	{"client", calltrace.ClientExit, "the client stops forwarding signals, closes the connection"},
}

// traceServerSteps are the server's part of a call, shown apart from the
// critical path: from the client's connect to each of these events.
var traceServerSteps = []traceCheckpoint{
	{"executor", calltrace.ExecutorAccept, "the pooled executor lent the server's socket has accepted the connection (where it accepts)"},
	{"server", calltrace.ServerAccept, "the server has accepted the connection (where it accepts)"},
	{"server", calltrace.ServerGreeting, "the server has sent the greeting"},
	{"server", calltrace.ServerRequest, "the server has read the request (where it reads it)"},
	{"server", calltrace.ServerHanded, "the server has handed the call over"},
}

// traceExitStage names the last stage: to the client's end.
const traceExitStage = "client exit: the process ends, the harness reaps it"

// callTrace is what one traced call showed.
type callTrace struct {
	total     time.Duration            // the harness's start of the client to its reaping
	stages    map[string]time.Duration // by traceCheckpoint.stage (and traceExitStage)
	refill    time.Duration            // from the client's start to the server starting the pool's next executor
	restored  time.Duration            // ... to that executor ready
	reaped    time.Duration            // ... to the call's executor reaped
	clientCPU time.Duration
	serverCPU time.Duration // the server's CPU from before the call until the sandbox was quiet again
	execCPU   time.Duration // the call's executor
	refillCPU time.Duration // the pool's next executor, until restored
	refillPid int
	clientFlt int64 // minor page faults
	execFlt   int64
}

// traceBuild is one luapf build whose warm calls are traced.
type traceBuild struct {
	label  string // what the report calls it
	luapf  string // its binary
	script string // its own hello.lua, so its own server
	log    string // its LUAPF_TRACE file

	calls   []callTrace
	misses  int       // calls whose executor was started on the call's path (excluded)
	version []float64 // seconds of a whole `luapf --version`, as the harness starts it
	// seconds from its start to client.Main, and from the end of Main to
	// its reaping
	versionStart, versionExit []float64
	initTime                  []float64 // seconds of package initialisation (GODEBUG=inittrace=1)
	initPkgs                  map[string][]float64
}

// traceResults are the builds traced in one run, the baseline first.
type traceResults struct {
	builds []*traceBuild
}

// traceMain runs `luapf-bench trace`.
func traceMain(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("luapf-bench trace", flag.ContinueOnError)
	repo := fs.String("repo", ".", "the luapf repository whose tree is built and traced")
	luapf := fs.String("luapf", "", "trace this luapf binary instead of building -repo")
	baseline := fs.String("baseline", "", "also trace luapf built from this commit of -repo, side by side")
	runs := fs.Int("runs", 30, "traced calls per build")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runTraceCommand(ctx, out, *repo, *luapf, *baseline, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "luapf-bench trace: %v\n", err)
		return 1
	}
	return 0
}

func runTraceCommand(ctx context.Context, out io.Writer, repo, luapf, baseline string, runs int) (err error) {
	if repo, err = filepath.Abs(repo); err != nil {
		return err
	}
	sb, err := newSandbox()
	if err != nil {
		return err
	}
	b := &bench{ctx: ctx, repo: repo, sb: sb, out: os.Stderr, procs: newProcScanner(sb.home, sb.root, os.Getpid()),
		luapfScripts: map[string]bool{}, perlScripts: map[string]bool{}}
	defer func() {
		if cerr := b.cleanup(false); cerr != nil {
			err = errors.Join(err, fmt.Errorf("clean up the sandbox %s: %w", sb.root, cerr))
		}
	}()
	if luapf == "" {
		luapf = filepath.Join(sb.bin, "luapf")
		if err := buildLuapf(ctx, repo, luapf); err != nil {
			return err
		}
	} else if luapf, err = filepath.Abs(luapf); err != nil {
		return err
	}
	b.tools.luapf = luapf
	res, err := b.runTrace(baseline, runs)
	if err != nil {
		return err
	}
	var buf strings.Builder
	res.markdown(func(format string, args ...any) { fmt.Fprintf(&buf, format+"\n", args...) })
	_, err = io.WriteString(out, buf.String())
	return err
}

// buildLuapf builds luapf from the source tree at dir into bin, as make
// build does.
func buildLuapf(ctx context.Context, dir, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/luapf")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build luapf in %s: %v\n%s", dir, err, out)
	}
	return nil
}

// buildLuapfAt builds luapf from commit rev of repo, exported with git
// archive into a directory of the sandbox, and returns the binary and the
// commit's short name.
func (b *bench) buildLuapfAt(rev string) (bin, short string, err error) {
	out, err := exec.CommandContext(b.ctx, "git", "-C", b.repo, "rev-parse", "--short", rev+"^{commit}").Output()
	if err != nil {
		return "", "", fmt.Errorf("find commit %s in %s: %w", rev, b.repo, err)
	}
	short = strings.TrimSpace(string(out))
	src := filepath.Join(b.sb.root, "src-"+short)
	if err := os.Mkdir(src, 0o700); err != nil {
		return "", "", err
	}
	archive := exec.CommandContext(b.ctx, "git", "-C", b.repo, "archive", "--format=tar", short)
	untar := exec.CommandContext(b.ctx, "tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return "", "", err
	}
	untar.Stdin = pipe
	var stderr bytes.Buffer
	archive.Stderr, untar.Stderr = &stderr, &stderr
	if err := untar.Start(); err != nil {
		return "", "", fmt.Errorf("tar: %w", err)
	}
	if err := archive.Run(); err != nil {
		untar.Wait()
		return "", "", fmt.Errorf("git archive %s: %v: %s", short, err, stderr.String())
	}
	if err := untar.Wait(); err != nil {
		return "", "", fmt.Errorf("unpack commit %s: %v: %s", short, err, stderr.String())
	}
	bin = filepath.Join(b.sb.bin, "luapf-"+short)
	return bin, short, buildLuapf(b.ctx, src, bin)
}

// runTrace traces runs warm hello calls of b.tools.luapf and, when
// baseline names a commit, of luapf built from it, interleaved.
func (b *bench) runTrace(baseline string, runs int) (*traceResults, error) {
	res := &traceResults{}
	if baseline != "" {
		bin, short, err := b.buildLuapfAt(baseline)
		if err != nil {
			return nil, err
		}
		res.builds = append(res.builds, &traceBuild{label: "before (" + short + ")", luapf: bin})
	}
	res.builds = append(res.builds, &traceBuild{label: "this build", luapf: b.tools.luapf})
	for i, tb := range res.builds {
		dir := filepath.Join(b.sb.work, fmt.Sprintf("trace%d", i))
		tb.script = filepath.Join(dir, "hello.lua")
		tb.log = filepath.Join(b.sb.logs, fmt.Sprintf("trace%d.log", i))
		tb.initPkgs = map[string][]float64{}
		if err := writeFiles(dir, map[string]string{"hello.lua": gen.HelloLua()}); err != nil {
			return nil, err
		}
		// The first call starts the server, in the trace's environment:
		// the server and its executors trace too.
		if _, _, err := b.probeEnv([]string{tb.luapf, tb.script, "bench"}, tb.env()); err != nil {
			return nil, fmt.Errorf("trace %s: %w", tb.label, err)
		}
	}
	for run := -2; run < runs; run++ { // two warm-up rounds
		for _, tb := range res.builds {
			if err := b.traceOne(tb, run >= 0); err != nil {
				return nil, fmt.Errorf("trace %s: %w", tb.label, err)
			}
		}
	}
	for _, tb := range res.builds {
		if err := b.killLuapf(tb.luapf, tb.script); err != nil {
			return nil, err
		}
		if err := b.quiet(serverPrefix(tb.script)); err != nil {
			return nil, err
		}
		b.progress("trace    %-20s %d calls traced, %d pool misses left out", tb.label, len(tb.calls), tb.misses)
	}
	return res, nil
}

func (tb *traceBuild) env() []string { return []string{calltrace.EnvVar + "=" + tb.log} }

// traceOne runs one traced call of tb on a quiet sandbox, and a bare start
// and a package initialisation trace of its binary; keep says the figures
// count (not a warm-up).
func (b *bench) traceOne(tb *traceBuild, keep bool) error {
	if err := b.quiet(); err != nil {
		return err
	}
	servers := b.procs.find(serverPrefix(tb.script))
	if len(servers) != 1 {
		return fmt.Errorf("want one server for %s, found %v", tb.script, servers)
	}
	server := servers[0].pid
	offset, err := fileSize(tb.log)
	if err != nil {
		return err
	}
	serverCPU := cpuTime(server)
	// Its output goes to a file, not a pipe, so that reaping the client
	// is all the harness waits for, as for luapf --version.
	outPath := filepath.Join(b.sb.logs, "trace-call.out")
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := b.command([]string{tb.luapf, tb.script, "bench"})
	cmd.Env = append(cmd.Env, tb.env()...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	err = cmd.Wait()
	end := time.Now()
	printed, _ := os.ReadFile(outPath)
	if err != nil || string(printed) != "Hello, bench!\n" {
		return fmt.Errorf("traced call: %v: it printed %q", err, printed)
	}
	// What the call left behind (the pool's refill) belongs to it too.
	if err := b.quiet(); err != nil {
		return err
	}
	c, hit, err := readCallTrace(tb.log, offset, cmd.Process.Pid, start, end)
	if err != nil {
		return err
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru != nil {
		c.clientCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		c.clientFlt = ru.Minflt
	}
	c.serverCPU = cpuTime(server) - serverCPU
	if c.refillPid != 0 {
		c.refillCPU = cpuTime(c.refillPid) // waiting in the pool now
	}
	if keep {
		if hit {
			tb.calls = append(tb.calls, c)
		} else {
			tb.misses++
		}
	}
	if err := b.quiet(); err != nil {
		return err
	}
	version, err := b.traceVersion(tb)
	if err != nil {
		return err
	}
	initTotal, pkgs, err := b.initTrace(tb.luapf)
	if err != nil {
		return err
	}
	if keep {
		tb.version = append(tb.version, version.total.Seconds())
		tb.versionStart = append(tb.versionStart, version.start.Seconds())
		tb.versionExit = append(tb.versionExit, version.exit.Seconds())
		tb.initTime = append(tb.initTime, initTotal.Seconds())
		for pkg, d := range pkgs {
			tb.initPkgs[pkg] = append(tb.initPkgs[pkg], d.Seconds())
		}
	}
	return nil
}

// versionTrace is one traced `luapf --version`.
type versionTrace struct {
	total, start, exit time.Duration
}

// traceVersion runs tb's luapf --version in the sandbox, traced, and
// returns how long it took from starting it to reaping it, and how long
// from its start to client.Main and from the end of Main to its reaping.
func (b *bench) traceVersion(tb *traceBuild) (versionTrace, error) {
	offset, err := fileSize(tb.log)
	if err != nil {
		return versionTrace{}, err
	}
	cmd := b.command([]string{tb.luapf, "--version"})
	cmd.Env = append(cmd.Env, tb.env()...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return versionTrace{}, fmt.Errorf("%s --version: %w", tb.luapf, err)
	}
	end := time.Now()
	events, err := readEventsFrom(tb.log, offset)
	if err != nil {
		return versionTrace{}, err
	}
	v := versionTrace{total: end.Sub(start)}
	for _, e := range events {
		switch {
		case e.Pid != cmd.Process.Pid:
		case e.Name == calltrace.ClientStart:
			v.start = e.Time.Sub(start)
		case e.Name == calltrace.ClientExit:
			v.exit = end.Sub(e.Time)
		}
	}
	if v.start == 0 || v.exit == 0 {
		return versionTrace{}, fmt.Errorf("%s --version left no trace in %s", tb.luapf, tb.log)
	}
	return v, nil
}

// readEventsFrom reads the events of a trace file from offset on.
func readEventsFrom(log string, offset int64) ([]calltrace.Event, error) {
	f, err := os.Open(log)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	events, err := calltrace.ReadEvents(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", log, err)
	}
	return events, nil
}

// initLine is one line of GODEBUG=inittrace=1: "init PKG @T ms, D ms clock, ...".
var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// initTrace runs luapf --version with GODEBUG=inittrace=1 and returns the
// time its package initialisation took, in all and by package.
func (b *bench) initTrace(luapf string) (time.Duration, map[string]time.Duration, error) {
	cmd := b.command([]string{luapf, "--version"})
	cmd.Env = append(cmd.Env, "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("%s --version with GODEBUG=inittrace=1: %w", luapf, err)
	}
	var total time.Duration
	pkgs := map[string]time.Duration{}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ms, _ := strconv.ParseFloat(m[2], 64)
		d := time.Duration(ms * float64(time.Millisecond))
		total += d
		pkgs[m[1]] += d
	}
	if total == 0 {
		return 0, nil, fmt.Errorf("%s --version with GODEBUG=inittrace=1 printed no init lines", luapf)
	}
	return total, pkgs, nil
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// readCallTrace reads the events written to log from offset on: those of
// one call whose client (pid client) the harness started at start and
// reaped at end, and of what the call left behind. hit says the call's
// executor was ready before the call (a pool hit).
func readCallTrace(log string, offset int64, client int, start, end time.Time) (callTrace, bool, error) {
	events, err := readEventsFrom(log, offset)
	if err != nil {
		return callTrace{}, false, err
	}
	c, hit := analyseCall(events, client, start, end)
	if c.stages == nil {
		return c, false, fmt.Errorf("%s: the call of client %d left no complete trace (%d events)", log, client, len(events))
	}
	return c, hit, nil
}

// analyseCall computes the stages of one call from its events. The
// returned trace has no stages when an event of the critical path is
// missing.
func analyseCall(events []calltrace.Event, client int, start, end time.Time) (c callTrace, hit bool) {
	executor := 0 // the call's executor: the one that received a call
	for _, e := range events {
		if e.Role == "executor" && e.Name == calltrace.ExecutorCall {
			executor = e.Pid
			break
		}
	}
	hit = executor != 0
	first := func(role, event string, pid int) (time.Time, bool) {
		for _, e := range events {
			if e.Role == role && e.Name == event && (pid == 0 || e.Pid == pid) {
				return e.Time, true
			}
		}
		return time.Time{}, false
	}
	for _, e := range events {
		if e.Pid == executor && e.Name == calltrace.ExecutorStart {
			hit = false // started after the client: restored on the call's path
		}
	}
	c.total = end.Sub(start)
	c.stages = map[string]time.Duration{}
	prev := start
	for _, cp := range traceCheckpoints {
		pid := 0
		switch cp.role {
		case "client":
			pid = client
		case "executor":
			pid = executor
		}
		t, ok := first(cp.role, cp.event, pid)
		if !ok {
			return callTrace{}, false // not a whole call
		}
		// A step a build takes before the one listed ahead of it (both
		// on their way in parallel) takes no time of the path's own.
		c.stages[cp.stage] = max(0, t.Sub(prev))
		if t.After(prev) {
			prev = t
		}
	}
	c.stages[traceExitStage] = end.Sub(prev)
	if connect, ok := first("client", calltrace.ClientConnect, client); ok {
		for _, st := range traceServerSteps {
			if t, ok := first(st.role, st.event, 0); ok {
				c.stages[st.stage] = t.Sub(connect)
			}
		}
	}
	for _, e := range events {
		switch {
		case e.Role == "server" && e.Name == calltrace.ServerReaped && c.reaped == 0:
			c.reaped = e.Time.Sub(start)
			if cpu, ok := e.DetailInt("cpu_us"); ok {
				c.execCPU = time.Duration(cpu) * time.Microsecond
			}
			c.execFlt, _ = e.DetailInt("minflt")
		case e.Role == "server" && e.Name == calltrace.ServerExecutor && c.refill == 0:
			c.refill = e.Time.Sub(start)
			pid, _ := e.DetailInt("pid")
			if t, ok := first("executor", calltrace.ExecutorRestored, int(pid)); ok {
				c.restored = t.Sub(start)
			}
			c.refillPid = int(pid)
		}
	}
	return c, hit
}

// markdown writes the breakdown: a table of stages with a column per
// build, then what happens around the call.
func (r *traceResults) markdown(p func(string, ...any)) {
	head := []string{"stage of one warm hello call (pool hit)"}
	for _, tb := range r.builds {
		head = append(head, tb.label)
	}
	var rows [][]string
	row := func(label string, get func(tb *traceBuild) string) {
		cells := []string{label}
		for _, tb := range r.builds {
			cells = append(cells, get(tb))
		}
		rows = append(rows, cells)
	}
	durations := func(tb *traceBuild, get func(c callTrace) (time.Duration, bool)) summary {
		var xs []float64
		for _, c := range tb.calls {
			if d, ok := get(c); ok {
				xs = append(xs, d.Seconds())
			}
		}
		return summarise(xs)
	}
	stage := func(name string) func(tb *traceBuild) string {
		return func(tb *traceBuild) string {
			return durations(tb, func(c callTrace) (time.Duration, bool) { d, ok := c.stages[name]; return d, ok }).formatTime()
		}
	}
	for i, cp := range traceCheckpoints {
		row(fmt.Sprintf("%d. %s", i+1, cp.stage), stage(cp.stage))
	}
	row(fmt.Sprintf("%d. %s", len(traceCheckpoints)+1, traceExitStage), stage(traceExitStage))
	for _, st := range traceServerSteps {
		row("from the client's connect: "+st.stage, stage(st.stage))
	}
	row("**the whole call** (the harness starts the client, reaps it)", func(tb *traceBuild) string {
		return "**" + durations(tb, func(c callTrace) (time.Duration, bool) { return c.total, true }).formatTime() + "**"
	})
	row("`luapf --version`, started and reaped the same way", func(tb *traceBuild) string { return summarise(tb.version).formatTime() })
	row("of which its process start (to client.Main)", func(tb *traceBuild) string { return summarise(tb.versionStart).formatTime() })
	row("of which its exit (from the end of client.Main)", func(tb *traceBuild) string { return summarise(tb.versionExit).formatTime() })
	row("the whole call / `luapf --version` (medians)", func(tb *traceBuild) string {
		return fmt.Sprintf("%.2f", ratio(durations(tb, func(c callTrace) (time.Duration, bool) { return c.total, true }), summarise(tb.version)))
	})
	mdTable(p, head, rows)
	p("")
	rows = nil
	head[0] = "around the call (from the client's start)"
	since := func(get func(c callTrace) time.Duration) func(tb *traceBuild) string {
		return func(tb *traceBuild) string {
			return durations(tb, func(c callTrace) (time.Duration, bool) { d := get(c); return d, d > 0 }).formatTime()
		}
	}
	row("the server starts the pool's next executor", since(func(c callTrace) time.Duration { return c.refill }))
	row("that executor is restored and ready", since(func(c callTrace) time.Duration { return c.restored }))
	row("the call's executor is reaped", since(func(c callTrace) time.Duration { return c.reaped }))
	row("CPU: client", since(func(c callTrace) time.Duration { return c.clientCPU }))
	row("CPU: server (the call, and starting the next executor)", since(func(c callTrace) time.Duration { return c.serverCPU }))
	row("CPU: the call's executor (its start, restore and call)", since(func(c callTrace) time.Duration { return c.execCPU }))
	row("CPU: the pool's next executor (start and restore)", since(func(c callTrace) time.Duration { return c.refillCPU }))
	count := func(get func(c callTrace) int64) func(tb *traceBuild) string {
		return func(tb *traceBuild) string {
			var xs []float64
			for _, c := range tb.calls {
				xs = append(xs, float64(get(c)))
			}
			s := summarise(xs)
			if !s.valid() {
				return "—"
			}
			return fmt.Sprintf("%.0f", s.Median)
		}
	}
	row("minor page faults: client", count(func(c callTrace) int64 { return c.clientFlt }))
	row("minor page faults: the call's executor", count(func(c callTrace) int64 { return c.execFlt }))
	row("package initialisation of `luapf --version` (GODEBUG=inittrace=1)", func(tb *traceBuild) string { return summarise(tb.initTime).formatTime() })
	row("of which the slowest packages", func(tb *traceBuild) string { return slowestPackages(tb.initPkgs, 4) })
	row("calls traced (pool misses left out)", func(tb *traceBuild) string { return fmt.Sprintf("%d (%d)", len(tb.calls), tb.misses) })
	mdTable(p, head, rows)
}

// slowestPackages names the n packages whose initialisation took longest
// (medians).
func slowestPackages(pkgs map[string][]float64, n int) string {
	type pkg struct {
		name   string
		median float64
	}
	var all []pkg
	for name, xs := range pkgs {
		all = append(all, pkg{name, summarise(xs).Median})
	}
	for i := range all { // a few dozen: selection sort is plenty
		for j := i + 1; j < len(all); j++ {
			if all[j].median > all[i].median || all[j].median == all[i].median && all[j].name < all[i].name {
				all[i], all[j] = all[j], all[i]
			}
		}
	}
	var out []string
	for i := 0; i < n && i < len(all); i++ {
		out = append(out, fmt.Sprintf("%s %s", all[i].name, formatSeconds(all[i].median)))
	}
	return strings.Join(out, ", ")
}

// traceSection writes the breakdown into results.md.
func (r *results) traceSection(p func(string, ...any)) {
	p("## One warm call, stage by stage")
	p("")
	if r.trace == nil || len(r.trace.builds) == 0 {
		p("Not measured in this run.")
		return
	}
	before := ""
	if len(r.trace.builds) > 1 {
		before = " The first column is luapf built from an earlier commit (`make bench` names it: `-trace-baseline`), traced in the same run, its calls interleaved with this build's, so that the two columns were measured over the same stretch of time."
	}
	p("Where the time of one warm hello call with a pool hit goes, from the timestamps luapf's client, server and executor write when `LUAPF_TRACE` names a file (preforklib/calltrace; `luapf-bench trace` prints these tables alone). "+
		"Medians over %d calls (interquartile range in brackets), each started by the harness on a quiet sandbox, as hyperfine starts the latency runs.%s "+
		"A stage runs from one event on the call's path to the next, so it includes the wait for the process that acts next to be scheduled; the medians of the stages need not add up to the median of the whole call.",
		r.plan.traceRuns, before)
	p("")
	r.trace.markdown(p)
}
