package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memoryFigures are peak resident set sizes, in KiB, for one workload, and
// the private memory of luapf's processes.
type memoryFigures struct {
	Server     summary // the luapf server
	Executor   summary // a luapf executor restored and waiting for its call
	PerlServer summary // the Proc::Prefork::Interp server, where there is one
	Lua54      summary // a whole cold lua5.4 run, for scale

	ServerPrivate, ExecutorPrivate summary // Private_* of smaps_rollup, KiB
}

// runMemory reads the peak RSS (VmHWM) of each workload's luapf server and
// of plan.memorySample successive pooled executors, each read once the
// sandbox is quiet (restored and waiting), with a call between samples.
func (b *bench) runMemory() (map[string]memoryFigures, error) {
	res := map[string]memoryFigures{}
	all := contenders(&b.tools)
	for _, w := range workloads(b.plan) {
		var fig memoryFigures
		var server, executor, perl, lua, serverPriv, execPriv []float64
		luapf := findContender(all, "luapf-hit").argv(w)
		perlArgv := findContender(all, "perl-hit").argv(w)
		for i := 0; i < b.plan.memorySample; i++ {
			if _, _, err := b.probe(luapf); err != nil {
				return nil, err
			}
			if perlArgv != nil {
				if _, _, err := b.probe(perlArgv); err != nil {
					return nil, err
				}
			}
			if err := b.quiet(); err != nil {
				return nil, err
			}
			s, err := b.peakRSS(serverPrefix(w.lua))
			if err != nil {
				return nil, err
			}
			e, err := b.peakRSS(executorPrefix(w.lua))
			if err != nil {
				return nil, err
			}
			server, executor = append(server, s), append(executor, e)
			sp, ep, err := b.luapfPrivate(w.lua)
			if err != nil {
				return nil, err
			}
			serverPriv, execPriv = append(serverPriv, sp), append(execPriv, ep)
			if perlArgv != nil {
				p, err := b.peakRSS(perlServerPrefix(w.perl))
				if err != nil {
					return nil, err
				}
				perl = append(perl, p)
			}
			l, err := b.coldPeakRSS(findContender(all, "lua5.4").argv(w))
			if err != nil {
				return nil, err
			}
			lua = append(lua, l)
		}
		fig.Server, fig.Executor, fig.PerlServer, fig.Lua54 = summarise(server), summarise(executor), summarise(perl), summarise(lua)
		fig.ServerPrivate, fig.ExecutorPrivate = summarise(serverPriv), summarise(execPriv)
		res[w.name] = fig
		b.progress("memory   %-8s server %s, executor %s, Perl server %s, lua5.4 cold %s", w.name,
			formatKiB(fig.Server), formatKiB(fig.Executor), formatKiB(fig.PerlServer), formatKiB(fig.Lua54))
	}
	return res, nil
}

// peakRSS returns VmHWM of the one sandbox process whose command line
// starts with prefix.
func (b *bench) peakRSS(prefix string) (float64, error) {
	pid, err := b.onePid(prefix)
	if err != nil {
		return 0, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read the peak RSS of %q: %w", prefix, err)
	}
	return parseStatusKiB(string(status), "VmHWM")
}

// privateOf returns the private memory (privateKiB) of the one sandbox
// process whose command line starts with prefix.
func (b *bench) privateOf(prefix string) (float64, error) {
	pid, err := b.onePid(prefix)
	if err != nil {
		return 0, err
	}
	return privateKiB(pid)
}

// onePid returns the one sandbox process whose command line starts with
// prefix.
func (b *bench) onePid(prefix string) (int, error) {
	procs := b.procs.find(prefix)
	if len(procs) != 1 {
		return 0, fmt.Errorf("expected one process %q in the sandbox, found %v", prefix, procs)
	}
	return procs[0].pid, nil
}

// luapfPrivate returns the private memory of script's luapf server and of
// its pooled executor, restored and waiting for a call.
func (b *bench) luapfPrivate(script string) (server, executor float64, err error) {
	if server, err = b.privateOf(serverPrefix(script)); err == nil {
		executor, err = b.privateOf(executorPrefix(script))
	}
	return server, executor, err
}

// parseStatusKiB reads a "Name:   123 kB" line of /proc/PID/status.
func parseStatusKiB(status, name string) (float64, error) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				return strconv.ParseFloat(f[0], 64)
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/PID/status", name)
}

// coldPeakRSS runs argv and returns its peak RSS from wait4's rusage.
func (b *bench) coldPeakRSS(argv []string) (float64, error) {
	cmd := b.command(argv)
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, fmt.Errorf("no rusage for %s", strings.Join(argv, " "))
	}
	return float64(ru.Maxrss), nil
}

// formatKiB prints a summary of KiB as MiB.
func formatKiB(s summary) string {
	if !s.valid() {
		return "—"
	}
	if s.Min == s.Max {
		return fmt.Sprintf("%.1f MiB", s.Median/1024)
	}
	return fmt.Sprintf("%.1f MiB (%.1f–%.1f)", s.Median/1024, s.Min/1024, s.Max/1024)
}
