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
// module, then snapshot.Restore of the state the script's initialisation
// captured, validated beforehand as the server does. Lazily (what an
// executor does): the roots only. Eagerly (LUAPF_RESTORE=eager, and luapf
// before lazy restore): every object, with garbage collection held off,
// then one collection (runtime.GC) so that the call's first allocations
// do not pay for collecting the restored heap. Process start and mapping
// the image are not included; they are the same for every state size.

// restoreFigures describe the snapshot of one workload's state.
type restoreFigures struct {
	Bytes   int     // snapshot size
	Restore summary // seconds per lazy restore
	Eager   summary // seconds per eager restore, garbage collection held off
	GC      summary // seconds of the collection after an eager restore
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

// timed is one measured operation.
type timed func() (time.Duration, error)

// timeInterleaved calls each of fs in turn, at least 3 and at most runs
// rounds, stopping early once budget has passed, and returns the seconds
// of each call of each. Interleaving puts the operations a ratio compares
// under the same conditions (other load on the machine, the heap).
func timeInterleaved(runs int, budget time.Duration, fs ...timed) ([][]float64, error) {
	out := make([][]float64, len(fs))
	start := time.Now()
	for i := 0; i < runs; i++ {
		if i >= 3 && time.Since(start) > budget {
			break
		}
		for j, f := range fs {
			runtime.GC() // no garbage of the last call in this one's way
			d, err := f()
			if err != nil {
				return nil, err
			}
			out[j] = append(out[j], d.Seconds())
		}
	}
	return out, nil
}

// restoreBudget bounds the time spent measuring one state.
const restoreBudget = 15 * time.Second

// restorer captures script's state and returns its size and operations
// that restore it once, lazily and eagerly; the eager one also appends the
// seconds of its collection to gc.
func restorer(script string, gc *[]float64) (int, timed, timed, error) {
	snap, err := capture(script)
	if err != nil {
		return 0, nil, nil, err
	}
	if err := snapshot.Validate(snap); err != nil {
		return 0, nil, nil, fmt.Errorf("validate the snapshot of %s: %w", script, err)
	}
	noop := func(*lua.LState) int { return 0 }
	// Restore finds the library objects the snapshot names by their
	// paths, as an executor's restore does: that is timed too.
	lazy := func() (time.Duration, error) {
		L := openCaptureState(noop)
		defer L.Close()
		start := time.Now()
		if _, err := snapshot.Restore(L, snap, snapshot.RestoreOptions{Validated: true}); err != nil {
			return 0, fmt.Errorf("restore %s: %w", script, err)
		}
		return time.Since(start), nil
	}
	eager := func() (time.Duration, error) {
		L := openCaptureState(noop)
		defer L.Close()
		old := debug.SetGCPercent(-1)
		start := time.Now()
		_, err := snapshot.Restore(L, snap, snapshot.RestoreOptions{Validated: true, Eager: true})
		d := time.Since(start)
		debug.SetGCPercent(old)
		if err != nil {
			return 0, fmt.Errorf("restore %s eagerly: %w", script, err)
		}
		start = time.Now()
		runtime.GC()
		*gc = append(*gc, time.Since(start).Seconds())
		return d, nil
	}
	return len(snap), lazy, eager, nil
}

// compiler returns an operation that compiles sources once: what a cold
// start of the modules workload must do before it can run them.
func compiler(sources []string) timed {
	return func() (time.Duration, error) {
		L := lua.NewState()
		defer L.Close()
		start := time.Now()
		for _, src := range sources {
			if _, err := L.LoadString(src); err != nil {
				return 0, fmt.Errorf("compile a generated module: %w", err)
			}
		}
		return time.Since(start), nil
	}
}

// measureRestore captures script's state and restores it repeatedly,
// lazily and eagerly; with sources, it compiles them in between, for the
// modules target.
func measureRestore(script string, runs int, sources ...string) (restoreFigures, error) {
	var gc []float64
	size, lazy, eager, err := restorer(script, &gc)
	if err != nil {
		return restoreFigures{}, err
	}
	ops := []timed{lazy, eager}
	if len(sources) > 0 {
		ops = append(ops, compiler(sources))
	}
	times, err := timeInterleaved(runs, restoreBudget, ops...)
	if err != nil {
		return restoreFigures{}, err
	}
	fig := restoreFigures{Bytes: size, Restore: summarise(times[0]), Eager: summarise(times[1]), GC: summarise(gc)}
	if len(sources) > 0 {
		fig.Compile = summarise(times[2])
	}
	return fig, nil
}

// runRestore measures the restore of every workload's state, and the
// compile time of the modules workload's sources.
func (b *bench) runRestore() (map[string]restoreFigures, error) {
	res := map[string]restoreFigures{}
	for _, w := range workloads(b.plan) {
		var sources []string
		if w.name == "modules" {
			for _, src := range moduleFiles(b.plan) {
				sources = append(sources, src)
			}
		}
		fig, err := measureRestore(filepath.Join(b.sb.work, w.lua), b.plan.restoreRuns, sources...)
		if err != nil {
			return nil, err
		}
		res[w.name] = fig
		b.progress("restore  %-8s %s of snapshot restore in %s lazily, %s eagerly (+ %s of collection); compile %s", w.name,
			formatBytes(fig.Bytes), fig.Restore.formatTime(), fig.Eager.formatTime(), fig.GC.formatTime(), fig.Compile.formatTime())
	}
	return res, nil
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
