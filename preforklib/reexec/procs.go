package reexec

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// An executor starts with one P: the server sets GOMAXPROCS=1 in its
// environment (ExecutorEnv). With more Ps than it has work for, a Go
// process starting up wakes idle threads that spin looking for work;
// measured on a 2-core VM, a luapf process that starts with one P uses
// 1.4 ms less CPU to reach main. An executor is started for every call
// (the pool refills behind it), so that CPU is taken from the calls
// running meanwhile. Once its call has run for CallProcsDelay, the
// executor gives the runtime the Ps the script would have had in a
// process of its own (SetCallProcsAfter, SetCallProcs): the caller's
// GOMAXPROCS if it sets one, else the runtime's default, which the server
// works out once and passes in envDefaultProcs (working it out reads
// cgroup files, 0.4 ms a time).

const (
	// envGOMAXPROCS is the variable the Go runtime reads its P count from.
	envGOMAXPROCS = "GOMAXPROCS"
	// envDefaultProcs carries the runtime's default P count from the
	// server to an executor.
	envDefaultProcs = "LUAPF_DEFAULT_GOMAXPROCS"
)

// DefaultProcs returns the Go runtime's default P count for this machine
// and this process's cgroup, whatever GOMAXPROCS says, and makes it this
// process's. The server calls it once, for ExecutorEnv: its own
// environment is its first caller's.
func DefaultProcs() int {
	runtime.SetDefaultGOMAXPROCS()
	return runtime.GOMAXPROCS(0)
}

// ExecutorEnv returns env, the server's environment, as an executor
// starts with: GOMAXPROCS=1 instead of any GOMAXPROCS it had, and
// defaultProcs (DefaultProcs) for SetCallProcs. The script sees neither:
// the call's environment replaces them.
func ExecutorEnv(env []string, defaultProcs int) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if !strings.HasPrefix(kv, envGOMAXPROCS+"=") && !strings.HasPrefix(kv, envDefaultProcs+"=") {
			out = append(out, kv)
		}
	}
	return append(out, envGOMAXPROCS+"=1", envDefaultProcs+"="+strconv.Itoa(defaultProcs))
}

// ExecutorDefaultProcs returns the default P count the server passed in
// this executor's environment (ExecutorEnv), or 0 when it passed none.
// Read it before the call's environment replaces this process's.
func ExecutorDefaultProcs() int {
	n, err := strconv.Atoi(os.Getenv(envDefaultProcs))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// CallProcsDelay is how long a call runs with the executor's one P before
// SetCallProcsAfter gives it the P count of a process of its own. Changing
// the count stops the world and makes a P, and a thread to run it: 0.3 ms
// of a warm call's path, measured on a 2-core VM (0.36 ms for the whole
// step, against 3 µs for the count left as it is). A Lua script runs on
// one goroutine, so the extra Ps serve only the Go collector, which a
// call this short rarely starts: short calls, most warm calls of small
// scripts, never pay for them, and longer ones have them from here on.
// (Raising the count in the pool instead, before the call, made taking
// the call slower by as much.)
const CallProcsDelay = 2 * time.Millisecond

// SetCallProcsAfter calls SetCallProcs(defaultProcs) once d has passed,
// unless the returned timer is stopped first: stop it when the call ends.
// With one P, the timer fires when the script's goroutine blocks or is
// preempted, so a script computing without a break gets its Ps within the
// runtime's preemption period (10 ms) of d.
func SetCallProcsAfter(defaultProcs int, d time.Duration) *time.Timer {
	return time.AfterFunc(d, func() { SetCallProcs(defaultProcs) })
}

// SetCallProcs gives the runtime the P count a process of its own would
// have had with this process's environment, now the call's: see
// callProcs. defaultProcs is ExecutorDefaultProcs.
func SetCallProcs(defaultProcs int) {
	if n := callProcs(os.Getenv(envGOMAXPROCS), defaultProcs); n > 0 {
		runtime.GOMAXPROCS(n)
		return
	}
	runtime.SetDefaultGOMAXPROCS()
}

// callProcs returns the P count for a call whose GOMAXPROCS is env: env
// when it is a positive number (as the runtime reads it), else
// defaultProcs; 0 when neither says (then the runtime works it out).
func callProcs(env string, defaultProcs int) int {
	if n, err := strconv.Atoi(env); err == nil && n > 0 {
		return n
	}
	return defaultProcs
}
