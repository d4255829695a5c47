package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// throughputResults: per workload, per contender key, calls per second.
type throughputResults map[string]map[string]summary

// throughputContenders are the contenders run with concurrent clients.
var throughputContenders = []string{"luapf-hit", "perl-hit", "lua5.4", "luajit", "gopher-lua"}

// runThroughput runs plan.clients concurrent clients of each throughput
// contender on hello and data, each calling back to back for
// plan.throughputD, plan.throughputN times, and reports calls per second.
func (b *bench) runThroughput() (throughputResults, error) {
	res := throughputResults{}
	all := contenders(&b.tools)
	for _, w := range workloads(b.plan) {
		if w.name != "hello" && w.name != "data" {
			continue
		}
		res[w.name] = map[string]summary{}
		for _, key := range throughputContenders {
			c := findContender(all, key)
			argv := c.argv(w)
			if argv == nil {
				continue
			}
			if _, _, err := b.probe(argv); err != nil { // starts a server if need be
				return nil, err
			}
			var rates []float64
			for i := 0; i < b.plan.throughputN; i++ {
				if err := b.quiet(); err != nil {
					return nil, err
				}
				rate, err := b.concurrentCalls(argv, b.plan.clients, b.plan.throughputD)
				if err != nil {
					return nil, fmt.Errorf("throughput of %s on %s: %w", c.label, w.name, err)
				}
				rates = append(rates, rate)
			}
			s := summarise(rates)
			res[w.name][key] = s
			b.progress("calls/s  %-8s %-42s %s with %d clients", w.name, c.label, s.formatRate("/s"), b.plan.clients)
		}
	}
	return res, nil
}

func findContender(all []contender, key string) contender {
	for _, c := range all {
		if c.key == key {
			return c
		}
	}
	panic("luapf-bench: no contender " + key)
}

// concurrentCalls runs clients loops calling argv back to back until d has
// passed, and returns the calls completed per second of wall time (up to
// the end of the last call).
func (b *bench) concurrentCalls(argv []string, clients int, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(b.ctx, d+callTimeout)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		calls int
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
				cmd.Env, cmd.Dir = b.sb.env, b.sb.work
				var stderr strings.Builder
				cmd.Stderr = &stderr
				err := cmd.Run()
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, stderr.String())
				}
				if err == nil {
					calls++
				}
				failed := first != nil
				mu.Unlock()
				if failed {
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return float64(calls) / time.Since(start).Seconds(), nil
}
