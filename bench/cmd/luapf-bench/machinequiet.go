package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The machine may be shared (a developer's box with tests running): a
// spaced run that starts while other processes keep the CPUs busy measures
// them as much as luapf. So after the sandbox is quiet, a spaced run also
// waits, within limits, for a moment when the whole machine is idle. Each
// wait is logged, so the report can say how many runs started on a busy
// machine.
const (
	// idleBusy is the most CPU (in cores) other processes may use over
	// machineWindow for the machine to count as idle (/proc/stat counts
	// in hundredths of a second: the window must hold a few).
	idleBusy      = 0.25
	machineWindow = 100 * time.Millisecond
	// idleWaitRun bounds the wait before one run; the plan's idleBudget
	// bounds the waits of the whole harness run, so that a machine busy
	// for good cannot stretch it past its time limit.
	idleWaitRun = time.Second
)

// cpuTicks reads the busy and total jiffies of all CPUs from /proc/stat.
func cpuTicks() (busy, total float64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat: %q", line)
	}
	for i, s := range f[1:] {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("unexpected /proc/stat: %q", line)
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, nil
}

// idleLog records, one line per wait, whether the machine was found idle:
// "idle SECONDS" or "busy SECONDS".
type idleLog string

// waited returns the seconds waited so far and the counts of idle and busy
// starts.
func (l idleLog) read() (waited float64, idle, busy int) {
	b, _ := os.ReadFile(string(l))
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		kind, secs, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		s, _ := strconv.ParseFloat(secs, 64)
		waited += s
		if kind == "idle" {
			idle++
		} else {
			busy++
		}
	}
	return waited, idle, busy
}

func (l idleLog) add(idle bool, waited time.Duration) error {
	f, err := os.OpenFile(string(l), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	kind := "busy"
	if idle {
		kind = "idle"
	}
	_, err = fmt.Fprintf(f, "%s %.3f\n", kind, waited.Seconds())
	return errors.Join(err, f.Close())
}

// waitIdle waits until the machine is idle over machineWindow, or until
// budget (for all the waits in the log) is spent, and logs the outcome.
func (l idleLog) waitIdle(budget time.Duration) error {
	spent, _, _ := l.read()
	limit := min(idleWaitRun, budget-time.Duration(spent*float64(time.Second)))
	if limit <= 0 {
		return l.add(false, 0) // the budget is spent: no more waiting
	}
	start := time.Now()
	jiffy := 1 / float64(clockTicks)
	busy0, total0, err := cpuTicks()
	if err != nil {
		return err
	}
	t0 := start
	for {
		time.Sleep(machineWindow)
		busy1, total1, err := cpuTicks()
		if err != nil {
			return err
		}
		now := time.Now()
		cores := (busy1 - busy0) * jiffy / now.Sub(t0).Seconds()
		if total1 > total0 && cores < idleBusy {
			return l.add(true, now.Sub(start))
		}
		if now.Sub(start) >= limit {
			return l.add(false, now.Sub(start))
		}
		busy0, total0, t0 = busy1, total1, now
	}
}

// clockTicks is USER_HZ, the unit of /proc/stat (100 on every Linux
// architecture Go supports).
const clockTicks = 100
