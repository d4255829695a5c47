package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// machineInfo describes where and with what the figures were measured.
type machineInfo struct {
	Date      time.Time
	CPU       string
	Cores     int
	Memory    string
	Kernel    string
	LoadStart string // /proc/loadavg when the run started
	LoadEnd   string // and when it ended
	Tools     [][2]string
}

// describeMachine gathers machineInfo; tools it cannot ask show as unknown.
func describeMachine(ctx context.Context, t *tools, repo string) machineInfo {
	m := machineInfo{Date: time.Now().UTC(), Cores: runtime.NumCPU()}
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if match := regexp.MustCompile(`(?m)^model name\s*:\s*(.*)$`).FindSubmatch(cpuinfo); match != nil {
			m.CPU = strings.TrimSpace(string(match[1]))
		}
	}
	if meminfo, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kib, err := parseStatusKiB(string(meminfo), "MemTotal"); err == nil {
			m.Memory = formatBytes(int(kib) << 10)
		}
	}
	if release, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(release))
	}
	m.LoadStart = loadAverage()
	gopherLua := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/yuin/gopher-lua" {
				gopherLua = dep.Version
			}
		}
	}
	version := func(re string, argv ...string) string {
		out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return "unknown"
		}
		if match := regexp.MustCompile(re).FindString(string(out)); match != "" {
			return match
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	m.Tools = [][2]string{
		{"luapf", version(`.+`, t.luapf, "--version")},
		{"luapf source (built by the harness)", version(`.+`, "git", "-C", repo, "describe", "--always", "--dirty")},
		{"Go", runtime.Version()},
		{"gopher-lua", gopherLua},
		{"lua5.4", version(`Lua [0-9.]+`, t.lua54, "-v")},
		{"luajit", version(`LuaJIT [0-9a-z.-]+`, t.luajit, "-v")},
		{"prefork-interp (chiark-utils-bin)", version(`.+`, "dpkg-query", "-W", "-f", "${Version}", "chiark-utils-bin")},
		{"Proc::Prefork::Interp (chiark-scripts)", version(`.+`, "dpkg-query", "-W", "-f", "${Version}", "chiark-scripts")},
		{"perl", version(`v[0-9.]+`, t.perl, "-e", "print $^V")},
		{"hyperfine", version(`hyperfine [0-9.]+`, t.hyperfine, "--version")},
	}
	return m
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
