package main

import (
	"fmt"
	"time"
)

// latencyResults holds the single-call latencies: per workload, per
// contender key, seconds per call.
type latencyResults map[string]map[string]summary

// runFloors measures the workload-independent contenders.
func (b *bench) runFloors() (map[string]summary, error) {
	out := map[string]summary{}
	for _, c := range floors(&b.tools) {
		s, err := b.runContender(c, &workload{name: "floor"}, "")
		if err != nil {
			return nil, err
		}
		out[c.key] = s
	}
	return out, nil
}

// runLatency measures every contender on every workload. Each contender's
// output is checked against luapf --standalone's first: a contender that
// fails or prints something else is an error, never a figure.
func (b *bench) runLatency() (latencyResults, error) {
	res := latencyResults{}
	for _, w := range workloads(b.plan) {
		oracle, _, err := b.probe([]string{b.tools.luapf, "--standalone", w.lua, w.arg})
		if err != nil {
			return nil, fmt.Errorf("the reference run of %s: %w", w.name, err)
		}
		res[w.name] = map[string]summary{}
		for _, c := range contenders(&b.tools) {
			if c.argv(w) == nil {
				continue
			}
			s, err := b.runContender(c, w, oracle)
			if err != nil {
				return nil, err
			}
			res[w.name][c.key] = s
		}
	}
	return res, nil
}

// runContender checks that c runs w correctly (printing want, unless want
// is empty), then measures it: plan.runs runs, or plan.slowRuns when one
// call takes longer than slowCall.
func (b *bench) runContender(c contender, w *workload, want string) (summary, error) {
	argv := c.argv(w)
	if c.regime == spawning {
		if err := b.stopLuapf(argv[1]); err != nil {
			return summary{}, err
		}
	}
	out, d, err := b.probe(argv)
	if err == nil && c.warm {
		// The first call may have started the server: time a warm one,
		// in the contender's regime.
		if c.regime == spaced {
			err = b.quiet()
		}
		if err == nil {
			out, d, err = b.probe(argv)
		}
	}
	if err != nil {
		return summary{}, fmt.Errorf("%s on %s: %w", c.label, w.name, err)
	}
	if want != "" && out != want {
		return summary{}, fmt.Errorf("%s on %s printed %q, want %q (what luapf --standalone prints)", c.label, w.name, out, want)
	}
	runs := b.plan.runs
	if d > slowCall {
		runs = b.plan.slowRuns
	}
	times, err := b.measure(argv, c.regime, runs)
	if err != nil {
		return summary{}, fmt.Errorf("%s on %s: %w", c.label, w.name, err)
	}
	s := summarise(times)
	b.progress("latency  %-8s %-42s %s (%d runs)", w.name, c.label, s.formatTime(), s.N)
	return s, nil
}

// stopLuapf stops script's luapf server, if any, and waits until it is gone.
func (b *bench) stopLuapf(script string) error {
	if _, _, err := b.probe([]string{b.tools.luapf, "--kill", script}); err != nil {
		return err
	}
	return b.quiet(serverPrefix(script))
}

// stopPerl stops script's Perl server, if any, and waits until it is gone.
func (b *bench) stopPerl(script string) error {
	if _, _, err := b.probe([]string{b.tools.preforkInterp, "--kill", "-U", b.tools.perl, script}); err != nil {
		return err
	}
	return b.quiet(perlServerPrefix(script))
}

// serverPrefix is how a luapf server for script shows in ps.
func serverPrefix(script string) string { return "luapf [server] " + script }

// executorPrefix is how a luapf executor for script shows in ps.
func executorPrefix(script string) string { return "luapf [executor] " + script }

// perlServerPrefix is how a Proc::Prefork::Interp server shows in ps: the
// library sets $0 to the script followed by its role.
func perlServerPrefix(script string) string { return script + " [server]" }

// elapsedSince rounds a run time for the report.
func elapsedSince(t time.Time) time.Duration { return time.Since(t).Round(time.Second) }
