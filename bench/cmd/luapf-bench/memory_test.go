package main

import "testing"

func TestParseTouchMemory(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1 1386.0\nprivate 7988 kB\n", 7988, true},
		{"1 1386.0\n", 0, false},
		{"private x kB\n", 0, false},
	}
	for _, tt := range tests {
		got, err := parseTouchMemory(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%q: got %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestLazyTargets judges issue 12's targets on made-up figures.
func TestLazyTargets(t *testing.T) {
	one := func(s float64) summary { return summarise([]float64{s}) }
	r := &results{plan: quickPlan}
	for _, rows := range quickPlan.touchRows {
		for _, touch := range quickPlan.touches {
			r.touch = append(r.touch, touchPoint{Rows: rows, Touch: touch, Lazy: one(0.010), Eager: one(0.020), Perl: one(0.030),
				LazyMem: one(5000), EagerMem: one(9000), PerlMem: one(800)})
		}
	}
	r.scaling = []scalingPoint{{Rows: 1000000, ExecutorPrivate: one(20 * 1024), ServerPrivate: one(8 * 1024)}}
	r.micro = microFigures{Patched: one(1.02), Stock: one(1.0)}
	ts := r.lazyTargets()
	if len(ts) != 5 {
		t.Fatalf("%d targets", len(ts))
	}
	for _, tt := range ts {
		if !tt.Met() {
			t.Errorf("%q not met: %v against %v (%s)", tt.Goal, tt.Ratio, tt.Limit, tt.Detail)
		}
	}
	r.micro.Patched = one(1.05)
	r.scaling[0].ExecutorPrivate = one(60 * 1024)
	ts = r.lazyTargets()
	if ts[2].Met() || ts[4].Met() {
		t.Errorf("60 MiB executor or a 5%% slower patch judged met: %+v %+v", ts[2], ts[4])
	}
}
