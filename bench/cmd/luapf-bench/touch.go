package main

import (
	"fmt"
	"strconv"
	"strings"

	gen "luapf/internal/workload"
)

// The touch matrix: what a call costs against what it touches. At each
// plan.touchRows size, a call of the touch workload reads plan.touches rows
// (none, one, a thousand, all) of a state of that many rows, back to back,
// on a server that keeps no executor ready (pool = 0), so that each call
// restores its own state on its path: the figure is the whole cost of a
// call. luapf restores lazily (the default) and eagerly (LUAPF_RESTORE=
// eager, its own script and server), and the Perl peer forks its server.
// Each call's private memory is the call's own report of its
// /proc/self/smaps_rollup at its end.

// touchPoint holds the figures of one size and count of rows touched.
type touchPoint struct {
	Rows  int
	Touch string
	// Seconds per back-to-back call.
	Lazy, Eager, Perl summary
	// Private memory at the end of a call, KiB.
	LazyMem, EagerMem, PerlMem summary
}

// envEager makes the luapf server that a call starts restore eagerly.
const envEager = "LUAPF_RESTORE=eager"

// touchContenders are the ways of running a touch call, in report order.
func touchContenders(t *tools) []contender {
	return []contender{
		{key: "luapf-lazy", label: "luapf, lazy restore", regime: backToBack, warm: true},
		{key: "luapf-eager", label: "luapf, eager restore", regime: backToBack, warm: true, env: []string{envEager}},
		{key: "perl-b2b", label: "prefork-interp + Perl", regime: backToBack, warm: true},
	}
}

// touchArgv is the command line of contender key for rows and touch.
func (b *bench) touchArgv(key string, rows int, touch string) []string {
	switch key {
	case "luapf-eager":
		return []string{b.tools.luapf, touchScript(rows, "eager"), touch}
	case "perl-b2b":
		return []string{b.tools.preforkInterp, "-U", b.tools.perl, touchScript(rows, "pl"), touch}
	}
	return []string{b.tools.luapf, touchScript(rows, ""), touch}
}

// runTouch measures the touch matrix, then stops its servers.
func (b *bench) runTouch() ([]touchPoint, error) {
	cs := touchContenders(&b.tools)
	var ms []*measurement
	for _, rows := range b.plan.touchRows {
		for _, touch := range b.plan.touches {
			w := &workload{name: fmt.Sprintf("touch-%d", rows), arg: touch}
			for _, c := range cs {
				c.argv = func(*workload) []string { return b.touchArgv(c.key, rows, touch) }
				m, err := b.prepare(c, w, gen.TouchLine(rows, touch), b.plan.touchRuns, b.plan.touchSlow)
				if err != nil {
					return nil, err
				}
				m.warmup = 1 // back to back: nothing to wait for, and slow calls are many seconds
				ms = append(ms, m)
			}
		}
	}
	if err := b.measureInRounds(ms); err != nil {
		return nil, err
	}
	var out []touchPoint
	i := 0
	for _, rows := range b.plan.touchRows {
		for _, touch := range b.plan.touches {
			p := touchPoint{Rows: rows, Touch: touch}
			times := []*summary{&p.Lazy, &p.Eager, &p.Perl}
			mems := []*summary{&p.LazyMem, &p.EagerMem, &p.PerlMem}
			for j, c := range cs {
				*times[j] = summarise(ms[i].times)
				i++
				mem, err := b.touchMemory(c, rows, touch)
				if err != nil {
					return nil, err
				}
				*mems[j] = mem
			}
			b.progress("touch    %-8d rows, %-4s touched: %s lazy (%s), %s eager (%s), %s Perl (%s)", rows, touch,
				p.Lazy.inverse().formatRate("/s"), formatKiB(p.LazyMem), p.Eager.inverse().formatRate("/s"), formatKiB(p.EagerMem),
				p.Perl.inverse().formatRate("/s"), formatKiB(p.PerlMem))
			out = append(out, p)
		}
	}
	return out, b.stopServers()
}

// touchMemory runs plan.touchMemRuns calls that report their private
// memory at their end.
func (b *bench) touchMemory(c contender, rows int, touch string) (summary, error) {
	var kib []float64
	for i := 0; i < b.plan.touchMemRuns; i++ {
		out, _, err := b.probeEnv(append(b.touchArgv(c.key, rows, touch), "mem"), c.env)
		if err != nil {
			return summary{}, err
		}
		v, err := parseTouchMemory(out)
		if err != nil {
			return summary{}, fmt.Errorf("%s on touch-%d %s: %w", c.label, rows, touch, err)
		}
		kib = append(kib, v)
	}
	return summarise(kib), nil
}

// parseTouchMemory reads the "private N kB" line a touch call prints last.
func parseTouchMemory(out string) (float64, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	f := strings.Fields(lines[len(lines)-1])
	if len(f) != 3 || f[0] != "private" || f[2] != "kB" {
		return 0, fmt.Errorf("no private memory line in %q", out)
	}
	return strconv.ParseFloat(f[1], 64)
}

// touchAt returns the point of rows and touch, if measured.
func (r *results) touchAt(rows int, touch string) (touchPoint, bool) {
	for _, p := range r.touch {
		if p.Rows == rows && p.Touch == touch {
			return p, true
		}
	}
	return touchPoint{}, false
}
