package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gen "luapf/internal/workload"
)

// luapf-bench idle-memory measures what an idle luapf server keeps in
// memory: the private memory (the Private_* lines of /proc/PID/smaps_rollup:
// pages no other process maps) of the server and of each executor, once a
// call has been served and the pool has refilled, and, with
// -pool-idle-timeout, again once pool_idle_timeout has let the pooled
// executors go. The script is the data workload: its initialisation
// builds a table of -rows rows, which every restored executor holds. The
// size of the server's snapshot image (a memfd, in memory whoever maps it:
// the server maps and validates it, so its pages no executor reads count
// in the server's private memory) is printed beside.
//
//	luapf-bench idle-memory [-luapf BIN] [-rows N] [-pool-idle-timeout S]
//
// -luapf measures another build (a luapf from before pool_idle_timeout:
// give -pool-idle-timeout 0, which leaves the option out of the script).
// It runs in a sandbox of its own and stops its server before it exits.

// idleMemoryMain runs the idle-memory subcommand.
func idleMemoryMain(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("luapf-bench idle-memory", flag.ContinueOnError)
	luapf := fs.String("luapf", "bin/luapf", "the luapf binary to measure")
	rows := fs.Int("rows", 200_000, "rows of the data workload's table")
	poolIdle := fs.Float64("pool-idle-timeout", 2, "pool_idle_timeout for the script, in seconds; 0 leaves the option out")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := measureIdleMemory(out, *luapf, *rows, *poolIdle); err != nil {
		fmt.Fprintf(os.Stderr, "luapf-bench idle-memory: %v\n", err)
		return 1
	}
	return 0
}

// measureIdleMemory starts a server for the data workload with luapf and
// writes its idle memory to out.
func measureIdleMemory(out io.Writer, luapf string, rows int, poolIdle float64) (err error) {
	if luapf, err = filepath.Abs(luapf); err != nil {
		return err
	}
	sb, err := newSandbox()
	if err != nil {
		return err
	}
	procs := newProcScanner(sb.home, sb.root, os.Getpid())
	script := filepath.Join(sb.work, "idle.lua")
	defer func() {
		stop := exec.Command(luapf, "--kill", script)
		stop.Env, stop.Dir = sb.env, sb.work
		err = errors.Join(err, runKill(stop))
		if _, kerr := procs.killAll(); kerr != nil {
			err = errors.Join(err, kerr)
		}
		err = errors.Join(err, sb.remove())
	}()
	options := "()"
	if poolIdle > 0 {
		options = fmt.Sprintf("{ pool_idle_timeout = %g }", poolIdle)
	}
	src := "local prefork = require 'prefork'\n" + gen.DataInit(rows) +
		"prefork.initialisation_complete" + options + "\nprint(#rows)\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		return err
	}
	call := func() error {
		cmd := exec.Command(luapf, script)
		cmd.Env, cmd.Dir = sb.env, sb.work
		var stderr strings.Builder
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil || string(got) != strconv.Itoa(rows)+"\n" {
			return fmt.Errorf("call %s: %q, %v: %s", script, got, err, stderr.String())
		}
		return nil
	}
	fmt.Fprintf(out, "idle memory of a luapf server (%s), data workload of %d rows: private KiB (smaps_rollup Private_*)\n", luapf, rows)
	if err := call(); err != nil {
		return err
	}
	if err := procs.waitQuiet(); err != nil {
		return err
	}
	if err := printIdleMemory(out, procs, "after a call, pool refilled"); err != nil {
		return err
	}
	if poolIdle <= 0 {
		return nil
	}
	deadline := time.Now().Add(time.Duration(poolIdle*float64(time.Second)) + quietTimeout)
	for len(procs.find("luapf [executor]")) > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("the pooled executors were not let go within %gs", poolIdle)
		}
		time.Sleep(quietPoll)
	}
	if err := procs.waitQuiet(); err != nil {
		return err
	}
	if err := printIdleMemory(out, procs, fmt.Sprintf("after pool_idle_timeout (%gs)", poolIdle)); err != nil {
		return err
	}
	if err := call(); err != nil {
		return err
	}
	if err := procs.waitQuiet(); err != nil {
		return err
	}
	return printIdleMemory(out, procs, "after the next call, pool refilled")
}

// printIdleMemory writes one line of the server's and its executors'
// private memory, labelled when.
func printIdleMemory(out io.Writer, procs *procScanner, when string) error {
	var server, executors float64
	n := 0
	for _, role := range []string{"luapf [server]", "luapf [executor]"} {
		for _, pr := range procs.find(role) {
			kib, err := privateKiB(pr.pid)
			if err != nil {
				return err
			}
			if role == "luapf [server]" {
				server += kib
			} else {
				executors += kib
				n++
			}
		}
	}
	image := 0.0
	for _, pr := range procs.find("luapf [server]") {
		image += memfdKiB(pr.pid)
	}
	fmt.Fprintf(out, "  %-38s server %8.0f  executors (%d) %8.0f  total %8.0f  (snapshot memfd %6.0f)\n",
		when, server, n, executors, server+executors, image)
	return nil
}

// memfdKiB returns the size in KiB of the memfds process pid holds open:
// a server's snapshot image, which is in memory whether or not a process
// maps it.
func memfdKiB(pid int) float64 {
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	total := 0.0
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, "/memfd:") {
			if fi, err := os.Stat(fd); err == nil {
				total += float64(fi.Size()) / 1024
			}
		}
	}
	return total
}

// privateKiB returns the sum of the Private_* lines (Private_Clean,
// Private_Dirty, Private_Hugetlb) of /proc/PID/smaps_rollup, in KiB.
func privateKiB(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, fmt.Errorf("read the memory of process %d: %w", pid, err)
	}
	return parsePrivateKiB(string(data))
}

// parsePrivateKiB sums the "Private_*:  N kB" lines of an smaps_rollup.
func parsePrivateKiB(rollup string) (float64, error) {
	total, seen := 0.0, false
	for _, line := range strings.Split(rollup, "\n") {
		if !strings.HasPrefix(line, "Private_") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			return 0, fmt.Errorf("smaps_rollup line %q is not NAME: N kB", line)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return 0, fmt.Errorf("smaps_rollup line %q: %w", line, err)
		}
		total, seen = total+v, true
	}
	if !seen {
		return 0, errors.New("no Private_ lines in smaps_rollup")
	}
	return total, nil
}
