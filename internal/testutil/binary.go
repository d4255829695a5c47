package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
	buildOut  []byte
)

// Binary builds ./cmd/luapf once per test process and returns the path of the
// executable. Tests call the real binary so that what they check is what users
// run: roles, re-execs, fds and signals included.
//
// LUAPF_TEST_BINARY overrides the build, e.g. to test an installed binary.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("LUAPF_TEST_BINARY"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "luapf-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "luapf")
		cmd := exec.Command("go", "build", "-trimpath", "-o", builtPath, "./cmd/luapf")
		cmd.Dir = RepoRoot()
		// As `make build` does: a static binary starts faster, and every
		// call starts at least two processes (client and executor).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building luapf: %v\n%s", buildErr, buildOut)
	}
	return builtPath
}

// RepoRoot returns the root of the luapf source tree.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ScriptPath returns the absolute path of a file under the repository's
// scripts directory.
func ScriptPath(name string) string {
	return filepath.Join(RepoRoot(), "scripts", name)
}

// Main runs a package's tests and then removes the binary that Binary built.
// Use it from TestMain: func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if builtPath != "" {
		os.RemoveAll(filepath.Dir(builtPath))
	}
	return code
}
