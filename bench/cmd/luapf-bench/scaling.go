package main

import (
	"fmt"
	"path/filepath"

	gen "luapf/internal/workload"
)

// scalingPoint holds the figures of the data workload at one size.
type scalingPoint struct {
	Rows     int
	Hit      summary // luapf warm, pool hit
	B2B      summary // luapf warm, back to back
	Perl     summary // prefork-interp + Perl warm
	Lua54    summary // lua5.4 cold
	Restore  summary // in-process snapshot restore
	SnapSize int
}

// scalingArg is the row every scaling call looks up (present at every size).
const scalingArg = "777"

// runScaling measures the data workload at each plan.scalingSizes, then
// stops that size's servers before the next (the largest hold gigabytes).
func (b *bench) runScaling() ([]scalingPoint, error) {
	var out []scalingPoint
	for _, rows := range b.plan.scalingSizes {
		w := &workload{name: fmt.Sprintf("data-%d", rows), lua: scalingScript(rows, "lua"), perl: scalingScript(rows, "pl"), arg: scalingArg}
		want := gen.DataLine(777)
		p := scalingPoint{Rows: rows}
		all := contenders(&b.tools)
		for _, m := range []struct {
			key string
			dst *summary
		}{
			{"luapf-hit", &p.Hit}, {"luapf-b2b", &p.B2B}, {"perl-hit", &p.Perl}, {"lua5.4", &p.Lua54},
		} {
			c := findContender(all, m.key)
			s, err := b.runScaled(c, w, want)
			if err != nil {
				return nil, err
			}
			*m.dst = s
		}
		fig, err := measureRestore(filepath.Join(b.sb.work, w.lua), b.plan.restoreRuns)
		if err != nil {
			return nil, err
		}
		p.Restore, p.SnapSize = fig.Restore, fig.Bytes
		b.progress("scaling  %-8d rows: restore %s (%s)", rows, p.Restore.formatTime(), formatBytes(p.SnapSize))
		if err := b.stopLuapf(w.lua); err != nil {
			return nil, err
		}
		if err := b.stopPerl(w.perl); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// runScaled is runContender with the scaling plan's run counts.
func (b *bench) runScaled(c contender, w *workload, want string) (summary, error) {
	saved := b.plan
	defer func() { b.plan = saved }()
	b.plan.runs, b.plan.slowRuns = b.plan.scalingRuns, max(3, b.plan.scalingRuns/2)
	return b.runContender(c, w, want)
}
