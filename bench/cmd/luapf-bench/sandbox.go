package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sandbox is the harness's own world: a scratch directory holding the
// binaries it built, a HOME of its own (so every luapf server it starts
// lives in a run directory under it, never the user's) and a working
// directory holding the workload scripts. Every process the harness starts
// runs with HOME set to sandbox.home and in sandbox.work, so it can find
// them all again, by environment or by working directory, and stop them.
type sandbox struct {
	root string // scratch directory, removed at the end
	bin  string // built binaries
	home string // HOME of every contender
	work string // working directory of every contender: the scripts
	logs string // hyperfine exports and output
	env  []string
}

// newSandbox makes the scratch directory. Its path is short on purpose: a
// server socket's path must fit in 108 bytes with a 33-character ident.
func newSandbox() (*sandbox, error) {
	root, err := os.MkdirTemp("", "luapf-bench-")
	if err != nil {
		return nil, fmt.Errorf("make scratch directory: %w", err)
	}
	s := &sandbox{
		root: root,
		bin:  filepath.Join(root, "bin"),
		home: filepath.Join(root, "home"),
		work: filepath.Join(root, "work"),
		logs: filepath.Join(root, "logs"),
	}
	for _, dir := range []string{s.bin, s.home, s.work, s.logs} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, fmt.Errorf("make %s: %w", dir, err)
		}
	}
	s.env = []string{"HOME=" + s.home}
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "HOME", "XDG_RUNTIME_DIR", "PREFORK_INTERP", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "GODEBUG", "GOGC", "GOMAXPROCS":
			continue
		}
		s.env = append(s.env, kv)
	}
	// Where /run/user/UID exists luapf would put its run directory there;
	// keep it in the sandbox instead.
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d", os.Getuid())); err == nil {
		xdg := filepath.Join(root, "xdg")
		if err := os.Mkdir(xdg, 0o700); err != nil {
			return nil, fmt.Errorf("make %s: %w", xdg, err)
		}
		s.env = append(s.env, "XDG_RUNTIME_DIR="+xdg)
	}
	return s, nil
}

// remove deletes the scratch directory.
func (s *sandbox) remove() error { return os.RemoveAll(s.root) }

// proc is one live process of the sandbox.
type proc struct {
	pid     int
	cmdline string
}

// procScanner finds the sandbox's processes in /proc: those whose
// environment holds the sandbox's HOME, or whose working directory is in
// the sandbox (a Perl server that sets $0 overwrites what
// /proc/PID/environ shows, but keeps its working directory). Pids in
// exclude (the scanner's own process and its parent) never count.
type procScanner struct {
	marker  []byte
	root    string
	exclude map[int]bool
}

func newProcScanner(home, root string, exclude ...int) *procScanner {
	ex := map[int]bool{}
	for _, pid := range exclude {
		ex[pid] = true
	}
	return &procScanner{marker: []byte("\x00HOME=" + home + "\x00"), root: root, exclude: ex}
}

// scan returns the live (not zombie) processes of the sandbox.
func (p *procScanner) scan() []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || p.exclude[pid] {
			continue
		}
		if !p.member(pid) {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || isZombie(stat) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		out = append(out, proc{pid: pid, cmdline: strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))})
	}
	return out
}

func (p *procScanner) member(pid int) bool {
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && (cwd == p.root || strings.HasPrefix(cwd, p.root+"/")) {
		return true
	}
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	return err == nil && bytes.Contains(append([]byte{0}, environ...), p.marker)
}

// isZombie reports whether a /proc/PID/stat line is of a zombie or dead
// task.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	return stat[i+2] == 'Z' || stat[i+2] == 'X'
}

// cpuTime returns the CPU time pid's threads have used so far, from the
// scheduler's nanosecond counters (0 when the process is gone).
func cpuTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		total += time.Duration(ns)
	}
	return total
}

// Quiescence: a call leaves work behind it (a luapf server refilling its
// pool restores a snapshot; a Perl monitor exits; a killed server winds
// down). A call measured "spaced" starts only once the sandbox is quiet:
// the same processes for quietWindow, using less than quietCPU of CPU in
// that window. That is what makes a luapf call a pool hit.
const (
	quietPoll    = 10 * time.Millisecond
	quietWindow  = 50 * time.Millisecond
	quietCPU     = 2 * time.Millisecond
	quietTimeout = 2 * time.Minute
)

// waitQuiet blocks until the sandbox is quiet, and until no process's
// command line contains any of gone.
func (p *procScanner) waitQuiet(gone ...string) error {
	deadline := time.Now().Add(quietTimeout)
	var (
		since   time.Time
		lastSet string
		lastCPU time.Duration
	)
	for {
		procs := p.scan()
		var set strings.Builder
		var cpu time.Duration
		blocked := ""
		for _, pr := range procs {
			fmt.Fprintf(&set, "%d,", pr.pid)
			cpu += cpuTime(pr.pid)
			for _, g := range gone {
				if strings.Contains(pr.cmdline, g) {
					blocked = pr.cmdline
				}
			}
		}
		now := time.Now()
		if blocked != "" || set.String() != lastSet || since.IsZero() {
			since, lastSet, lastCPU = now, set.String(), cpu
		} else if cpu-lastCPU > quietCPU {
			since, lastCPU = now, cpu
		} else if now.Sub(since) >= quietWindow {
			return nil
		}
		if now.After(deadline) {
			return fmt.Errorf("the sandbox did not settle within %v (waiting for %q; processes %v)", quietTimeout, blocked, procs)
		}
		time.Sleep(quietPoll)
	}
}

// killAll SIGKILLs whatever the sandbox still runs and waits until it is
// gone; it reports the processes it had to kill.
func (p *procScanner) killAll() ([]proc, error) {
	var killed []proc
	deadline := time.Now().Add(10 * time.Second)
	for {
		procs := p.scan()
		if len(procs) == 0 {
			return killed, nil
		}
		if time.Now().After(deadline) {
			return killed, fmt.Errorf("processes survive SIGKILL: %v", procs)
		}
		for _, pr := range procs {
			if syscall.Kill(pr.pid, syscall.SIGKILL) == nil {
				killed = append(killed, pr)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// find returns the sandbox's processes whose command line starts with
// prefix.
func (p *procScanner) find(prefix string) []proc {
	var out []proc
	for _, pr := range p.scan() {
		if strings.HasPrefix(pr.cmdline, prefix) {
			out = append(out, pr)
		}
	}
	return out
}
