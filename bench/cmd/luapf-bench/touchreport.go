package main

import "fmt"

// touchSection writes the touch matrix: calls per second and private
// memory against the size of the state and the rows a call reads.
func (r *results) touchSection(p func(string, ...any)) {
	p("## Calls cost what they touch")
	p("")
	p("The touch workload: the initialisation builds the data workload's rows; a call reads 0, 1, 1000 or all of them, scattered, and prints a sum. Its server keeps no executor ready, so each call restores its own state on its path: the figures are the whole cost of a call, back to back, as calls per second (median, quartiles in brackets), and the private memory the call holds at its end (its own Private_* of smaps_rollup). luapf restores lazily (the default) or eagerly (LUAPF_RESTORE=eager); the Perl peer forks its server.")
	p("")
	var rows [][]string
	for _, t := range r.touch {
		rows = append(rows, []string{fmt.Sprint(t.Rows), t.Touch,
			t.Lazy.inverse().formatRate("/s"), t.Eager.inverse().formatRate("/s"), t.Perl.inverse().formatRate("/s"),
			formatKiB(t.LazyMem), formatKiB(t.EagerMem), formatKiB(t.PerlMem)})
	}
	mdTable(p, []string{"rows", "rows read", "luapf lazy, calls/s", "luapf eager, calls/s", "Perl, calls/s", "luapf lazy, private", "luapf eager, private", "Perl, private"}, rows)
	p("")
	p("![calls per second against the rows in the state](%s)", touchCallsPlot)
	p("![private memory of a call against the rows in the state](%s)", touchMemoryPlot)
}

// microSection writes the microbenchmark of luapf's gopher-lua patch.
func (r *results) microSection(p func(string, ...any)) {
	p("## gopher-lua: luapf's copy against stock")
	p("")
	p("Lazy tables add a check to every LTable method of luapf's copy of gopher-lua (third_party/gopher-lua). The table-heavy microbenchmark (`%s`, %d rounds: records built, read, grouped, sorted, inserted and removed) on bench/glua built with each:", microScript, r.plan.microRounds)
	p("")
	mdTable(p, []string{"gopher-lua", "one run", "ratio"}, [][]string{
		{"luapf's copy (patched)", r.micro.Patched.formatTime(), speed(r.micro.Patched, r.micro.Stock)},
		{"v1.1.2, stock", r.micro.Stock.formatTime(), "1"},
	})
}

// touchChart plots the touch matrix against rows: calls per second, or
// (memory) private memory at the end of a call; one colour per count of
// rows read, solid for luapf's lazy restore, dashed for its eager one,
// dotted for the Perl peer.
func (r *results) touchChart(memory bool) string {
	c := lineChart{
		Title: "touch workload: calls per second against rows in the state", XAxis: "rows in the initialised table (log scale)",
		YAxis: "calls per second, back to back (log scale)", FormatX: formatCount, FormY: formatCount,
	}
	if memory {
		c.Title, c.YAxis, c.FormY = "touch workload: private memory of a call against rows in the state", "private memory at the end of a call (log scale)", formatTickKiB
	}
	for i, touch := range r.plan.touches {
		color := touchColors[i%len(touchColors)]
		for _, k := range []struct {
			name           string
			dashed, dotted bool
			time, mem      func(touchPoint) summary
		}{
			{"luapf lazy", false, false, func(t touchPoint) summary { return t.Lazy }, func(t touchPoint) summary { return t.LazyMem }},
			{"luapf eager", true, false, func(t touchPoint) summary { return t.Eager }, func(t touchPoint) summary { return t.EagerMem }},
			{"Perl", false, true, func(t touchPoint) summary { return t.Perl }, func(t touchPoint) summary { return t.PerlMem }},
		} {
			s := series{Name: fmt.Sprintf("%s, %s read", k.name, touch), Color: color, Dashed: k.dashed, Dotted: k.dotted}
			for _, t := range r.touch {
				if t.Touch != touch {
					continue
				}
				v := k.time(t).inverse()
				if memory {
					v = k.mem(t)
				}
				s.Points = append(s.Points, point{X: float64(t.Rows), Y: v.Median, Lo: v.P25, Hi: v.P75})
			}
			c.Series = append(c.Series, s)
		}
	}
	return c.svg()
}

// formatTickKiB labels a memory axis in KiB with a unit that suits it.
func formatTickKiB(kib float64) string {
	return formatBytes(int(kib * 1024))
}
