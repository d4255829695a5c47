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
	Restore  summary // in-process snapshot restore, lazy
	Eager    summary // in-process snapshot restore, eager
	SnapSize int
	// Private memory (KiB) of the server and of its pooled executor,
	// restored and waiting for a call.
	ServerPrivate, ExecutorPrivate summary
}

// scalingArg is the row every scaling call looks up (present at every size).
const scalingArg = "777"

// scalingContenders are measured at every size, in this order.
var scalingContenders = []string{"luapf-hit", "luapf-b2b", "perl-hit", "lua5.4"}

// runScaling measures the data workload at every plan.scalingSizes. The
// servers of all sizes run at once (a few gigabytes at most) so that the
// rounds of measureInRounds cover every size: the flatness target compares
// sizes with each other. The servers are stopped at the end.
func (b *bench) runScaling() ([]scalingPoint, error) {
	all := contenders(&b.tools)
	want := gen.DataLine(777)
	var ms []*measurement
	for _, rows := range b.plan.scalingSizes {
		w := &workload{name: fmt.Sprintf("data-%d", rows), lua: scalingScript(rows, "lua"), perl: scalingScript(rows, "pl"), arg: scalingArg}
		for _, key := range scalingContenders {
			m, err := b.prepare(findContender(all, key), w, want, b.plan.scalingRuns, max(3, b.plan.scalingRuns/2))
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
	}
	if err := b.measureInRounds(ms); err != nil {
		return nil, err
	}
	var out []scalingPoint
	for i, rows := range b.plan.scalingSizes {
		p := scalingPoint{Rows: rows}
		for j, dst := range []*summary{&p.Hit, &p.B2B, &p.Perl, &p.Lua54} {
			*dst = summarise(ms[i*len(scalingContenders)+j].times)
		}
		var servers, executors []float64
		for k := 0; k < b.plan.memorySample; k++ {
			if _, _, err := b.probe(findContender(all, "luapf-hit").argv(&workload{lua: scalingScript(rows, "lua"), arg: scalingArg})); err != nil {
				return nil, err
			}
			if err := b.quiet(); err != nil {
				return nil, err
			}
			s, e, err := b.luapfPrivate(scalingScript(rows, "lua"))
			if err != nil {
				return nil, err
			}
			servers, executors = append(servers, s), append(executors, e)
		}
		p.ServerPrivate, p.ExecutorPrivate = summarise(servers), summarise(executors)
		fig, err := measureRestore(filepath.Join(b.sb.work, scalingScript(rows, "lua")), b.plan.restoreRuns)
		if err != nil {
			return nil, err
		}
		p.Restore, p.Eager, p.SnapSize = fig.Restore, fig.Eager, fig.Bytes
		b.progress("scaling  %-8d rows: restore %s lazily, %s eagerly (%s); private memory: server %s, pooled executor %s", rows,
			p.Restore.formatTime(), p.Eager.formatTime(), formatBytes(p.SnapSize), formatKiB(p.ServerPrivate), formatKiB(p.ExecutorPrivate))
		out = append(out, p)
	}
	return out, b.stopServers()
}
