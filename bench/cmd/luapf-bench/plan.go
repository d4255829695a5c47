package main

import "time"

// plan says how big the workloads are and how many times each figure is
// measured. The full plan is `make bench` (the committed results, about 16
// minutes on a 2-core machine); the quick plan is `make bench-quick`, which
// runs every contender on every workload with small sizes and few runs, in
// under a minute, so that CI keeps the harness working.
type plan struct {
	name string

	dataRows          int // rows of the data workload
	modulesCount      int // generated modules of the modules workload
	modulesBytes      int // their total source size
	computeIterations int // generator steps of the compute workload

	warmup   int // unmeasured runs before each latency measurement
	rounds   int // latency runs are taken in this many interleaved rounds
	runs     int // measured runs of a fast contender (< slowCall)
	slowRuns int // measured runs of a slow one

	scalingSizes []int // rows of the data workload on the scaling plot
	scalingRuns  int

	touchRows    []int    // rows of the touch workload (lazy restore)
	touches      []string // rows a touch call reads: counts, or "all"
	touchRuns    int      // back-to-back runs of a fast touch call
	touchSlow    int      // of a slow one
	touchMemRuns int      // calls whose private memory is read, per figure
	microRounds  int      // rounds of the table microbenchmark in one run
	microRuns    int      // its runs on each gopher-lua (30: a run varies by ±4% on a VM, the bound is 3%)

	clients      int           // concurrent clients for throughput
	throughputD  time.Duration // length of one throughput measurement
	throughputN  int           // repeats of it
	memorySample int           // executors whose peak RSS is read
	restoreRuns  int           // in-process restores per state
	traceRuns    int           // traced warm calls per build (trace.go)
	idleBudget   time.Duration // waiting for an idle machine, in all (waitIdle)
}

// slowCall separates slow contenders, measured slowRuns times.
const slowCall = 150 * time.Millisecond

var fullPlan = plan{
	name:     "full",
	dataRows: 200000, modulesCount: 20, modulesBytes: 1 << 20,
	// About half a second of CPU under gopher-lua, luapf's interpreter.
	computeIterations: 1500000,
	warmup:            3, runs: 30, slowRuns: 10, rounds: 3,
	scalingSizes: []int{1000, 10000, 100000, 1000000}, scalingRuns: 10,
	touchRows: []int{1000, 10000, 200000, 1000000}, touches: []string{"0", "1", "1000", "all"},
	touchRuns: 10, touchSlow: 3, touchMemRuns: 2, microRounds: 40, microRuns: 30,
	clients: 8, throughputD: 3 * time.Second, throughputN: 3,
	memorySample: 3, restoreRuns: 10, traceRuns: 30, idleBudget: 90 * time.Second,
}

var quickPlan = plan{
	name:     "quick",
	dataRows: 20000, modulesCount: 4, modulesBytes: 128 << 10,
	computeIterations: 100000,
	warmup:            1, runs: 3, slowRuns: 3, rounds: 1,
	scalingSizes: []int{1000, 10000}, scalingRuns: 3,
	touchRows: []int{1000, 10000}, touches: []string{"0", "1", "1000", "all"},
	touchRuns: 3, touchSlow: 2, touchMemRuns: 1, microRounds: 4, microRuns: 3,
	clients: 8, throughputD: 400 * time.Millisecond, throughputN: 2,
	memorySample: 2, restoreRuns: 3, traceRuns: 3, idleBudget: 10 * time.Second,
}
