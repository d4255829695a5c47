package main

import "fmt"

// latencyResults holds the single-call latencies: per workload, per
// contender key, seconds per call.
type latencyResults map[string]map[string]summary

// A measurement is one contender on one workload, checked and sized, whose
// runs are taken in rounds (measureInRounds).
type measurement struct {
	c      contender
	w      *workload
	argv   []string
	runs   int
	warmup int // unmeasured runs before the first round
	times  []float64
}

// prepare checks that c runs w correctly (printing want, unless want is
// empty) and sizes its measurement: plan.runs runs, or plan.slowRuns when
// one call takes longer than slowCall.
func (b *bench) prepare(c contender, w *workload, want string, runs, slowRuns int) (*measurement, error) {
	argv := c.argv(w)
	if c.regime == spawning {
		if err := b.stopLuapf(argv[1]); err != nil {
			return nil, err
		}
	}
	out, d, err := b.probeEnv(argv, c.env)
	if err == nil && c.warm {
		// The first call may have started the server: time a warm one,
		// in the contender's regime.
		if c.regime == spaced {
			err = b.quiet()
		}
		if err == nil {
			out, d, err = b.probeEnv(argv, c.env)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", c.label, w.name, err)
	}
	if want != "" && out != want {
		return nil, fmt.Errorf("%s on %s printed %q, want %q (what luapf --standalone prints)", c.label, w.name, out, want)
	}
	m := &measurement{c: c, w: w, argv: argv, runs: runs, warmup: b.plan.warmup}
	if d > slowCall {
		m.runs = slowRuns
	}
	return m, nil
}

// measureInRounds takes the runs of ms in plan.rounds rounds, each round
// running a share of every measurement in turn, so that figures compared
// with each other were taken over the same stretch of time: load from
// elsewhere on the machine then spreads over all of them alike instead of
// landing on whichever ran at the wrong moment.
func (b *bench) measureInRounds(ms []*measurement) error {
	for round := 0; round < b.plan.rounds; round++ {
		for _, m := range ms {
			n := share(m.runs, b.plan.rounds, round)
			if n == 0 {
				continue
			}
			warmup := m.warmup
			if round > 0 {
				warmup = min(1, warmup) // the server, the caches: warm since round 0
			}
			times, err := b.measure(m.argv, m.c.env, m.c.regime, n, warmup)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", m.c.label, m.w.name, err)
			}
			m.times = append(m.times, times...)
		}
	}
	for _, m := range ms {
		s := summarise(m.times)
		b.progress("latency  %-8s %-42s %s (%d runs)", m.w.name, m.c.label, s.formatTime(), s.N)
	}
	return nil
}

// share is round's part of runs split over rounds: at least 2 runs per
// part (hyperfine's minimum), so fewer rounds when runs are few.
func share(runs, rounds, round int) int {
	rounds = max(1, min(rounds, runs/2))
	if round >= rounds {
		return 0
	}
	n := runs / rounds
	if round < runs%rounds {
		n++
	}
	return n
}

// runLatency measures every contender on every workload, and the floors
// alongside hello (the targets compare them). Each contender's output is
// checked against luapf --standalone's first: a contender that fails or
// prints something else is an error, never a figure.
func (b *bench) runLatency() (latencyResults, map[string]summary, error) {
	res := latencyResults{}
	floorRes := map[string]summary{}
	for _, w := range workloads(b.plan) {
		oracle, _, err := b.probe([]string{b.tools.luapf, "--standalone", w.lua, w.arg})
		if err != nil {
			return nil, nil, fmt.Errorf("the reference run of %s: %w", w.name, err)
		}
		var ms []*measurement
		add := func(c contender, want string) error {
			m, err := b.prepare(c, w, want, b.plan.runs, b.plan.slowRuns)
			if err == nil {
				ms = append(ms, m)
			}
			return err
		}
		for _, c := range contenders(&b.tools) {
			if c.argv(w) == nil {
				continue
			}
			if err := add(c, oracle); err != nil {
				return nil, nil, err
			}
		}
		if w.name == "hello" {
			for _, c := range floors(&b.tools) {
				if err := add(c, ""); err != nil {
					return nil, nil, err
				}
			}
		}
		if err := b.measureInRounds(ms); err != nil {
			return nil, nil, err
		}
		res[w.name] = map[string]summary{}
		for _, m := range ms {
			if m.w.name == "hello" && isFloor(m.c.key) {
				floorRes[m.c.key] = summarise(m.times)
			} else {
				res[w.name][m.c.key] = summarise(m.times)
			}
		}
	}
	return res, floorRes, nil
}

func isFloor(key string) bool {
	for _, c := range floors(&tools{}) {
		if c.key == key {
			return true
		}
	}
	return false
}

// stopLuapf stops script's luapf server, if any, and waits until it is gone.
func (b *bench) stopLuapf(script string) error {
	if err := b.killLuapf(b.tools.luapf, script); err != nil {
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
