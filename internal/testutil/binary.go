package testutil

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// built holds the programs this test process has built, by package.
var built struct {
	sync.Mutex
	programs map[string]*program
}

// program is one main package, built at most once per test process.
type program struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

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
	return Program(t, "./cmd/luapf")
}

// Program builds the main package pkg, a directory relative to the
// repository's root such as ./examples/jsonluapf, once per test process,
// as Binary builds luapf, and returns the path of the executable, which is
// named after the package's directory.
func Program(t testing.TB, pkg string) string {
	t.Helper()
	built.Lock()
	if built.programs == nil {
		built.programs = map[string]*program{}
	}
	p := built.programs[pkg]
	if p == nil {
		p = &program{}
		built.programs[pkg] = p
	}
	built.Unlock()
	p.once.Do(func() {
		dir, err := os.MkdirTemp("", "luapf-test-bin-")
		if err != nil {
			p.err = err
			return
		}
		p.path = filepath.Join(dir, path.Base(pkg))
		cmd := exec.Command("go", "build", "-trimpath", "-o", p.path, pkg)
		cmd.Dir = RepoRoot()
		// As `make build` does: a static binary starts faster, and every
		// call starts at least two processes (client and executor).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		p.out, p.err = cmd.CombinedOutput()
	})
	if p.err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, p.err, p.out)
	}
	return p.path
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

// Main runs a package's tests and then removes the programs that Binary
// and Program built. Use it from TestMain:
// func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	built.Lock()
	defer built.Unlock()
	for _, p := range built.programs {
		if p.path != "" {
			os.RemoveAll(filepath.Dir(p.path))
		}
	}
	return code
}
