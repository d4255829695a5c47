package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	lua "github.com/yuin/gopher-lua"

	"luapf/runtime/snapshot"
)

// Restore time, measured in this process through runtime/snapshot, the way
// an executor restores: a fresh gopher-lua state opened with the prefork
// module, garbage collection held off, snapshot.Restore of the state the
// script's initialisation captured. Process start and mapping the image
// are not included; they are the same for every state size.

// restoreFigures describe the snapshot of one workload's state.
type restoreFigures struct {
	Bytes   int     // snapshot size
	Restore summary // seconds per restore
	Compile summary // seconds to compile the workload's module sources (modules only)
}

// errCaptured stops a script once its state is captured.
var errCaptured = errors.New("captured")

// openCaptureState opens a state like luapf's: the standard libraries and
// a prefork module loaded eagerly (so its functions are library objects).
func openCaptureState(complete lua.LGFunction) *lua.LState {
	L := lua.NewState()
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"initialisation_complete": complete,
		"autoreload_also_check":   func(*lua.LState) int { return 0 },
	})
	L.G.Registry.RawGetString("_LOADED").(*lua.LTable).RawSetString("prefork", mod)
	return L
}

// capture runs script (absolute path) up to initialisation_complete and
// returns the snapshot of its state.
func capture(script string) ([]byte, error) {
	var (
		snap     []byte
		captured error
		builtins *snapshot.Builtins
		main     *lua.LFunction
		arg      *lua.LTable
	)
	L := openCaptureState(func(L *lua.LState) int {
		snap, captured = snapshot.Capture(L, snapshot.CaptureConfig{Builtins: builtins, Main: main, Arg: arg})
		L.RaiseError("%s", errCaptured)
		return 0
	})
	defer L.Close()
	builtins = snapshot.IndexBuiltins(L)
	arg = L.NewTable()
	arg.RawSetInt(0, lua.LString(script))
	L.SetGlobal("arg", arg)
	fn, err := L.LoadFile(script)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", script, err)
	}
	main = fn
	L.Push(fn)
	err = L.PCall(0, 0, nil)
	if captured != nil {
		return nil, fmt.Errorf("capture %s: %w", script, captured)
	}
	if snap == nil {
		return nil, fmt.Errorf("%s did not reach initialisation_complete: %v", script, err)
	}
	return snap, nil
}

// timeRepeats calls f at least 3 and at most runs times, stopping early
// once budget has passed, and returns the seconds of each call.
func timeRepeats(runs int, budget time.Duration, f func() (time.Duration, error)) ([]float64, error) {
	var out []float64
	start := time.Now()
	for i := 0; i < runs; i++ {
		if i >= 3 && time.Since(start) > budget {
			break
		}
		runtime.GC() // no garbage of the last round in this one's way
		d, err := f()
		if err != nil {
			return nil, err
		}
		out = append(out, d.Seconds())
	}
	return out, nil
}

// restoreBudget bounds the time spent restoring one state.
const restoreBudget = 15 * time.Second

// measureRestore captures script's state and restores it repeatedly.
func measureRestore(script string, runs int) (restoreFigures, error) {
	snap, err := capture(script)
	if err != nil {
		return restoreFigures{}, err
	}
	noop := func(*lua.LState) int { return 0 }
	times, err := timeRepeats(runs, restoreBudget, func() (time.Duration, error) {
		L := openCaptureState(noop)
		defer L.Close()
		old := debug.SetGCPercent(-1)
		defer debug.SetGCPercent(old)
		start := time.Now()
		if _, err := snapshot.Restore(L, snap); err != nil {
			return 0, fmt.Errorf("restore %s: %w", script, err)
		}
		return time.Since(start), nil
	})
	if err != nil {
		return restoreFigures{}, err
	}
	return restoreFigures{Bytes: len(snap), Restore: summarise(times)}, nil
}

// measureCompile compiles sources (what a cold start of the modules
// workload must do before running them) repeatedly.
func measureCompile(sources []string, runs int) (summary, error) {
	times, err := timeRepeats(runs, restoreBudget, func() (time.Duration, error) {
		L := lua.NewState()
		defer L.Close()
		start := time.Now()
		for _, src := range sources {
			if _, err := L.LoadString(src); err != nil {
				return 0, fmt.Errorf("compile a generated module: %w", err)
			}
		}
		return time.Since(start), nil
	})
	return summarise(times), err
}

// runRestore measures the restore of every workload's state, and the
// compile time of the modules workload's sources.
func (b *bench) runRestore() (map[string]restoreFigures, error) {
	res := map[string]restoreFigures{}
	for _, w := range workloads(b.plan) {
		fig, err := measureRestore(filepath.Join(b.sb.work, w.lua), b.plan.restoreRuns)
		if err != nil {
			return nil, err
		}
		if w.name == "modules" {
			var sources []string
			for _, src := range moduleFiles(b.plan) {
				sources = append(sources, src)
			}
			if fig.Compile, err = measureCompile(sources, b.plan.restoreRuns); err != nil {
				return nil, err
			}
		}
		res[w.name] = fig
		b.progress("restore  %-8s %s of snapshot restore in %s; compile %s", w.name, formatBytes(fig.Bytes), fig.Restore.formatTime(), fig.Compile.formatTime())
	}
	return res, nil
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
