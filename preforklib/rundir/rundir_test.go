package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

func TestRunDirChoice(t *testing.T) {
	uid := os.Getuid()
	tests := []struct {
		name    string
		prepare func(t *testing.T, root string) (xdg, runUser string)
		want    string // relative to root
		warning string // "" for none
	}{
		{"XDG_RUNTIME_DIR", func(t *testing.T, root string) (string, string) {
			return mkdir(t, root, "xdg", 0o700), mkdir(t, root, "run", 0o700)
		}, "xdg/luapf", ""},
		{"unsafe XDG_RUNTIME_DIR falls back to /run/user", func(t *testing.T, root string) (string, string) {
			return mkdir(t, root, "xdg", 0o755), mkdir(t, root, "run", 0o700)
		}, "run/luapf", "XDG_RUNTIME_DIR=" + "ROOT/xdg is accessible by group or others"},
		{"XDG_RUNTIME_DIR a file", func(t *testing.T, root string) (string, string) {
			p := filepath.Join(root, "xdg")
			os.WriteFile(p, nil, 0o600)
			return p, mkdir(t, root, "run", 0o700)
		}, "run/luapf", "ROOT/xdg is not a directory"},
		{"XDG_RUNTIME_DIR a symlink", func(t *testing.T, root string) (string, string) {
			p := filepath.Join(root, "xdg")
			os.Symlink(mkdir(t, root, "real", 0o700), p)
			return p, mkdir(t, root, "run", 0o700)
		}, "run/luapf", "ROOT/xdg is not a directory"},
		{"relative XDG_RUNTIME_DIR", func(t *testing.T, root string) (string, string) {
			return "relative", mkdir(t, root, "run", 0o700)
		}, "run/luapf", "XDG_RUNTIME_DIR=relative is not an absolute path"},
		{"missing candidates fall back to HOME quietly", func(t *testing.T, root string) (string, string) {
			return filepath.Join(root, "nope"), filepath.Join(root, "nope2")
		}, "home/.luapf/myhost", ""},
		{"group-readable /run/user falls back to HOME", func(t *testing.T, root string) (string, string) {
			return "", mkdir(t, root, "run", 0o750)
		}, "home/.luapf/myhost", "ROOT/run is accessible by group or others"},
		{"group-writable /run/user falls back to HOME", func(t *testing.T, root string) (string, string) {
			return "", mkdir(t, root, "run", 0o770)
		}, "home/.luapf/myhost", "ROOT/run is accessible by group or others"},
		{"other-writable /run/user falls back to HOME", func(t *testing.T, root string) (string, string) {
			return "", mkdir(t, root, "run", 0o703)
		}, "home/.luapf/myhost", "ROOT/run is accessible by group or others"},
		{"/run/user of another user", func(t *testing.T, root string) (string, string) {
			if uid != 0 {
				t.Skip("needs root to chown")
			}
			p := mkdir(t, root, "run", 0o700)
			if err := os.Chown(p, 12345, 12345); err != nil {
				t.Fatal(err)
			}
			return "", p
		}, "home/.luapf/myhost", "ROOT/run is not owned by uid 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			xdg, runUser := tt.prepare(t, root)
			var warn strings.Builder
			cfg := RunDirConfig{XDGRuntimeDir: xdg, RunUserDir: runUser, Home: filepath.Join(root, "home"),
				Nodename: "myhost.example.org", UID: uid, Warn: &warn}
			got, err := cfg.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, tt.want); got != want {
				t.Errorf("run directory %s, want %s", got, want)
			}
			wantWarn := strings.ReplaceAll(tt.warning, "ROOT", root)
			switch {
			case wantWarn == "" && warn.Len() > 0:
				t.Errorf("unexpected warning %q", warn.String())
			case wantWarn != "" && !strings.Contains(warn.String(), wantWarn):
				t.Errorf("warning %q does not say %q", warn.String(), wantWarn)
			case wantWarn != "" && !strings.HasPrefix(warn.String(), "luapf: warning: "):
				t.Errorf("warning %q does not start with luapf: warning:", warn.String())
			}
			testutil.ExpectDirMode(t, got, 0o700)
		})
	}
}

func mkdir(t *testing.T, root, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.Mkdir(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return p
}

func TestRunDirRepairsAndRefuses(t *testing.T) {
	root := t.TempDir()
	cfg := RunDirConfig{Home: filepath.Join(root, "home"), Nodename: strings.Repeat("h", 40) + ".x", UID: os.Getuid()}
	host := strings.Repeat("h", 32) // cut at the dot, then to 32 characters like the C client
	dir := filepath.Join(root, "home", ".luapf", host)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	got, err := cfg.Resolve()
	if err != nil || got != dir {
		t.Fatalf("Resolve = %q, %v; want %q", got, err, dir)
	}
	testutil.ExpectDirMode(t, dir, 0o700)

	os.RemoveAll(dir)
	os.WriteFile(dir, nil, 0o600)
	if _, err := cfg.Resolve(); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Resolve with a file in the way: %v", err)
	}

	cfg.Home = "relative/home"
	if _, err := cfg.Resolve(); err == nil || !strings.Contains(err.Error(), "not an absolute path") {
		t.Errorf("Resolve with a relative home: %v", err)
	}
}

func TestDefaultRunDirConfig(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/xdg")
	t.Setenv("HOME", "/some/home")
	cfg, err := DefaultRunDirConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.XDGRuntimeDir != "/xdg" || cfg.Home != "/some/home" || cfg.UID != os.Getuid() || cfg.Nodename == "" {
		t.Errorf("config %+v does not follow the environment", cfg)
	}
	t.Setenv("HOME", "")
	if cfg, err = DefaultRunDirConfig(); err != nil || cfg.Home == "" || cfg.Home == "/some/home" {
		t.Errorf("without HOME: home %q, %v; want the passwd home", cfg.Home, err)
	}
}
