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

// throughputLabel names a throughput contender: with concurrent clients a
// warm call is no longer spaced, so it is not necessarily a pool hit.
func throughputLabel(key string) string {
	switch key {
	case "luapf-hit":
		return "luapf warm"
	case "perl-hit":
		return "prefork-interp + Perl warm"
	}
	return findContender(contenders(&tools{}), key).label
}

// runThroughput runs plan.clients concurrent clients of each throughput
// contender on hello and data, each calling back to back for
// plan.throughputD, and reports calls per second. The plan.throughputN
// repeats go round all the contenders in turn, like measureInRounds.
func (b *bench) runThroughput() (throughputResults, error) {
	type job struct {
		w, key string
		argv   []string
		rates  []float64
	}
	var jobs []*job
	all := contenders(&b.tools)
	for _, w := range workloads(b.plan) {
		if w.name != "hello" && w.name != "data" {
			continue
		}
		for _, key := range throughputContenders {
			if argv := findContender(all, key).argv(w); argv != nil {
				if _, _, err := b.probe(argv); err != nil { // starts a server if need be
					return nil, err
				}
				jobs = append(jobs, &job{w: w.name, key: key, argv: argv})
			}
		}
	}
	for i := 0; i < b.plan.throughputN; i++ {
		for _, j := range jobs {
			if err := b.quiet(); err != nil {
				return nil, err
			}
			rate, err := b.concurrentCalls(j.argv, b.plan.clients, b.plan.throughputD)
			if err != nil {
				return nil, fmt.Errorf("throughput of %s on %s: %w", throughputLabel(j.key), j.w, err)
			}
			j.rates = append(j.rates, rate)
		}
	}
	res := throughputResults{}
	for _, j := range jobs {
		if res[j.w] == nil {
			res[j.w] = map[string]summary{}
		}
		s := summarise(j.rates)
		res[j.w][j.key] = s
		b.progress("calls/s  %-8s %-42s %s with %d clients", j.w, throughputLabel(j.key), s.formatRate("/s"), b.plan.clients)
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
// passed, and returns the calls per second within those d: each call
// counts for the fraction of it that lies within the window, so that the
// calls still running at its end (seconds long, for a slow contender) bias
// the rate neither way.
func (b *bench) concurrentCalls(argv []string, clients int, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(b.ctx, d+callTimeout)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		calls float64 // within the window
		first error
	)
	deadline := time.Now().Add(d)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
				cmd.Env, cmd.Dir = b.sb.env, b.sb.work
				var stderr strings.Builder
				cmd.Stderr = &stderr
				callStart := time.Now()
				err := cmd.Run()
				callEnd := time.Now()
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, stderr.String())
				}
				if err == nil {
					calls += windowFraction(callStart, callEnd, deadline)
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
	return calls / d.Seconds(), nil
}

// windowFraction is the part of the call from start to end that lies
// before deadline.
func windowFraction(start, end, deadline time.Time) float64 {
	if !end.After(start) {
		return 1
	}
	inside := end.Sub(start)
	if deadline.Before(end) {
		inside = deadline.Sub(start)
	}
	return max(0, inside.Seconds()/end.Sub(start).Seconds())
}
