package main

import (
	"fmt"
	"math"
)

// A target is one of the performance goals, judged on the run's
// medians.
type target struct {
	Goal   string  // what is promised
	Ratio  float64 // the measured ratio
	Limit  float64 // the bound on Ratio
	AtMost bool    // Ratio <= Limit is met; else Ratio >= Limit
	Detail string  // the figures behind the ratio
}

// Met reports whether the target is met (an unmeasured one is not).
func (t target) Met() bool {
	if math.IsNaN(t.Ratio) {
		return false
	}
	if t.AtMost {
		return t.Ratio <= t.Limit
	}
	return t.Ratio >= t.Limit
}

// verdict is "met" or "missed".
func (t target) verdict() string {
	if t.Met() {
		return "met"
	}
	return "missed"
}

// summary is the ratio against its bound, and the figures behind it.
func (t target) summary() string {
	bound := "≤"
	if !t.AtMost {
		bound = "≥"
	}
	return fmt.Sprintf("%.3g (bound %s %g; %s)", t.Ratio, bound, t.Limit, t.Detail)
}

// Gap is how far the ratio is from its bound, as a factor: above 1 means
// missed by that much, below 1 met with that much to spare.
func (t target) Gap() float64 {
	if t.AtMost {
		return t.Ratio / t.Limit
	}
	return t.Limit / t.Ratio
}

// ratio divides two medians; NaN when either is missing.
func ratio(a, b summary) float64 {
	if !a.valid() || !b.valid() || b.Median == 0 {
		return math.NaN()
	}
	return a.Median / b.Median
}

// targets evaluates the targets on r.
func (r *results) targets() []target {
	hello, data := r.latency["hello"], r.latency["data"]
	var ts []target
	ts = append(ts, target{
		Goal:  "Warm call on hello (pool hit) at most 0.4 × prefork-interp + Perl warm call",
		Ratio: ratio(hello["luapf-hit"], hello["perl-hit"]), Limit: 0.4, AtMost: true,
		Detail: fmt.Sprintf("luapf %s, Perl %s", formatSeconds(hello["luapf-hit"].Median), formatSeconds(hello["perl-hit"].Median)),
	}, target{
		Goal:  "Warm call on hello (pool hit) at most 1.3 × a bare start of the luapf binary (luapf --version)",
		Ratio: ratio(hello["luapf-hit"], r.floors["luapf-version"]), Limit: 1.3, AtMost: true,
		Detail: fmt.Sprintf("luapf warm %s, luapf --version %s", formatSeconds(hello["luapf-hit"].Median), formatSeconds(r.floors["luapf-version"].Median)),
	}, target{
		Goal:  fmt.Sprintf("%d clients calling hello back to back: luapf's calls per second at least 1.5 × the Perl peer's", r.plan.clients),
		Ratio: ratio(r.throughput["hello"]["luapf-hit"], r.throughput["hello"]["perl-hit"]), Limit: 1.5, AtMost: false,
		Detail: fmt.Sprintf("luapf %.0f calls/s, Perl %.0f calls/s", r.throughput["hello"]["luapf-hit"].Median, r.throughput["hello"]["perl-hit"].Median),
	}, target{
		Goal:  "Warm call with a pool hit on data at most 0.05 × lua5.4 running the same script cold",
		Ratio: ratio(data["luapf-hit"], data["lua5.4"]), Limit: 0.05, AtMost: true,
		Detail: fmt.Sprintf("luapf %s, lua5.4 %s", formatSeconds(data["luapf-hit"].Median), formatSeconds(data["lua5.4"].Median)),
	})
	flat := target{Goal: "Warm call with a pool hit on data flat (within 1.5 ×) across state sizes", Ratio: math.NaN(), Limit: 1.5, AtMost: true}
	if len(r.scaling) > 0 {
		lo, hi := r.scaling[0], r.scaling[0]
		for _, p := range r.scaling {
			if p.Hit.Median < lo.Hit.Median {
				lo = p
			}
			if p.Hit.Median > hi.Hit.Median {
				hi = p
			}
		}
		first, last := r.scaling[0], r.scaling[len(r.scaling)-1]
		flat.Goal = fmt.Sprintf("Warm call with a pool hit on data flat (within 1.5 ×) from %d to %d rows", first.Rows, last.Rows)
		flat.Ratio = ratio(hi.Hit, lo.Hit)
		flat.Detail = fmt.Sprintf("slowest %s at %d rows, fastest %s at %d rows", formatSeconds(hi.Hit.Median), hi.Rows, formatSeconds(lo.Hit.Median), lo.Rows)
	}
	ts = append(ts, flat)
	luapfRate, perlRate := data["luapf-b2b"].inverse(), data["perl-b2b"].inverse()
	ts = append(ts, target{
		Goal:  "Back-to-back calls on data at least the Perl peer's calls per second",
		Ratio: ratio(luapfRate, perlRate), Limit: 1, AtMost: false,
		Detail: fmt.Sprintf("luapf %.1f calls/s, Perl %.1f calls/s, one client calling back to back", luapfRate.Median, perlRate.Median),
	})
	mod := r.restore["modules"]
	ts = append(ts, target{
		Goal:  "modules: restore at most 0.1 × compiling the same code",
		Ratio: ratio(mod.Restore, mod.Compile), Limit: 0.1, AtMost: true,
		Detail: fmt.Sprintf("restore %s, compile %s", formatSeconds(mod.Restore.Median), formatSeconds(mod.Compile.Median)),
	})
	return append(ts, r.lazyTargets()...)
}

// lazyTargets are issue 12's targets: a call costs what it touches.
func (r *results) lazyTargets() []target {
	rows := r.plan.touchRows
	small, big := rows[0], rows[len(rows)-1]
	one, _ := r.touchAt(big, "1")
	oneSmall, _ := r.touchAt(small, "1")
	all, _ := r.touchAt(big, "all")
	lazyRate, perlRate := one.Lazy.inverse(), one.Perl.inverse()
	ts := []target{{
		Goal:  fmt.Sprintf("One row touched on a %d-row state: back-to-back calls at least the Perl peer's calls per second", big),
		Ratio: ratio(lazyRate, perlRate), Limit: 1, AtMost: false,
		Detail: fmt.Sprintf("luapf %.1f calls/s, Perl %.1f calls/s, each call on its own (pool 0)", lazyRate.Median, perlRate.Median),
	}, {
		Goal:  fmt.Sprintf("One row touched: a back-to-back call on %d rows within 1.5 × the same call on %d rows", big, small),
		Ratio: ratio(one.Lazy, oneSmall.Lazy), Limit: 1.5, AtMost: true,
		Detail: fmt.Sprintf("%s at %d rows, %s at %d rows", formatSeconds(one.Lazy.Median), big, formatSeconds(oneSmall.Lazy.Median), small),
	}}
	exec := target{Goal: "Pooled executor restored for the largest data state: private memory at most 48 MiB", Ratio: math.NaN(), Limit: 48, AtMost: true}
	if n := len(r.scaling); n > 0 {
		p := r.scaling[n-1]
		exec.Goal = fmt.Sprintf("Pooled executor restored for the %d-row data state: private memory at most 48 MiB", p.Rows)
		exec.Ratio = p.ExecutorPrivate.Median / 1024
		exec.Detail = fmt.Sprintf("executor %s, its server %s (Private_* of smaps_rollup)", formatKiB(p.ExecutorPrivate), formatKiB(p.ServerPrivate))
	}
	return append(ts, exec, target{
		Goal:  fmt.Sprintf("A call reading all %d rows at most 1.1 × eager restore plus the same reads", big),
		Ratio: ratio(all.Lazy, all.Eager), Limit: 1.1, AtMost: true,
		Detail: fmt.Sprintf("lazy %s, eager %s per back-to-back call, each restoring its own state", formatSeconds(all.Lazy.Median), formatSeconds(all.Eager.Median)),
	}, target{
		Goal:  "Table-heavy microbenchmark on luapf's patched gopher-lua within 3% of stock gopher-lua v1.1.2",
		Ratio: ratio(r.micro.Patched, r.micro.Stock), Limit: 1.03, AtMost: true,
		Detail: fmt.Sprintf("patched %s, stock %s per run", formatSeconds(r.micro.Patched.Median), formatSeconds(r.micro.Stock.Median)),
	})
}

// largestGap returns the target furthest from (or least within) its bound.
func largestGap(ts []target) target {
	worst := ts[0]
	for _, t := range ts[1:] {
		if math.IsNaN(worst.Ratio) || (!math.IsNaN(t.Ratio) && t.Gap() > worst.Gap()) {
			worst = t
		}
	}
	return worst
}
