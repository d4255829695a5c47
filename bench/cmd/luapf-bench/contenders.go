package main

// regime says how the runs of a latency measurement are spaced.
type regime int

const (
	// spaced: each run starts once the sandbox is quiet (see waitQuiet),
	// so whatever the previous call left to do is done: for luapf, the
	// pool has refilled and the call is a pool hit.
	spaced regime = iota
	// backToBack: each run starts as soon as the previous one ended.
	backToBack
	// spawning: before each run the script's luapf server is stopped, so
	// the call starts a new one.
	spawning
)

// A contender is one way of running a workload.
type contender struct {
	key    string // short name, for file names and targets
	label  string // what results.md calls it
	regime regime
	warm   bool     // served by a server the measurement expects to be running
	env    []string // extra environment of its runs, NAME=value
	// argv is the command line for a workload, or nil when the contender
	// does not run it.
	argv func(w *workload) []string
}

// tools are the programs the contenders run.
type tools struct {
	luapf, glua, gohello   string // built by the harness
	gluaStock              string // bench/glua on stock gopher-lua (micro.go)
	lua54, luajit          string
	preforkInterp, perl    string
	hyperfine, self, truth string
}

// contenders returns every contender of the latency table, in report order.
func contenders(t *tools) []contender {
	luapf := func(extra ...string) func(w *workload) []string {
		return func(w *workload) []string {
			return append(append([]string{t.luapf}, extra...), w.lua, w.arg)
		}
	}
	cold := func(interp string) func(w *workload) []string {
		return func(w *workload) []string { return []string{interp, w.lua, w.arg} }
	}
	perl := func(w *workload) []string {
		if w.perl == "" {
			return nil
		}
		return []string{t.preforkInterp, "-U", t.perl, w.perl, w.arg}
	}
	return []contender{
		{key: "luapf-hit", label: "luapf warm, pool hit", regime: spaced, warm: true, argv: luapf()},
		{key: "luapf-b2b", label: "luapf warm, back to back", regime: backToBack, warm: true, argv: luapf()},
		{key: "luapf-spawn", label: "luapf spawning call", regime: spawning, argv: luapf()},
		{key: "luapf-standalone", label: "luapf --standalone", regime: spaced, argv: luapf("--standalone")},
		{key: "lua5.4", label: "lua5.4 cold", regime: spaced, argv: cold(t.lua54)},
		{key: "luajit", label: "luajit cold", regime: spaced, argv: cold(t.luajit)},
		{key: "gopher-lua", label: "plain gopher-lua cold", regime: spaced, argv: cold(t.glua)},
		{key: "perl-hit", label: "prefork-interp + Perl warm", regime: spaced, warm: true, argv: perl},
		{key: "perl-b2b", label: "prefork-interp + Perl warm, back to back", regime: backToBack, warm: true, argv: perl},
	}
}

// floors are the workload-independent contenders: what starting a process
// costs at all.
func floors(t *tools) []contender {
	fixed := func(argv ...string) func(*workload) []string {
		return func(*workload) []string { return argv }
	}
	return []contender{
		{key: "true", label: "/bin/true", regime: spaced, argv: fixed(t.truth)},
		{key: "go-hello", label: "hello-world Go binary", regime: spaced, argv: fixed(t.gohello, "bench")},
		{key: "luapf-version", label: "luapf --version (bare start)", regime: spaced, argv: fixed(t.luapf, "--version")},
	}
}
