package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"luapf/internal/testutil"
)

// suiteDir is gopher-lua's copy of the Lua 5.1 test suite.
func suiteDir() string {
	return filepath.Join(testutil.RepoRoot(), "third_party", "gopher-lua", "_lua5.1-tests")
}

// suiteExpectation is a row of docs/conformance.md's table of the suite's
// files: | `file` | passes, fails at `message`, or not run | reason |.
type suiteExpectation struct {
	result  string // "passes", "fails" or "not run"
	message string // what the first line of standard error contains, for "fails"
	reason  string
}

var suiteRow = regexp.MustCompile("^\\| `([^`]+\\.lua)` \\| (passes|fails at `([^`]+)`|not run) \\|\\s*([^|]*?)\\s*\\|$")

func suiteExpectations(t *testing.T) map[string]suiteExpectation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "docs", "conformance.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]suiteExpectation{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := suiteRow.FindStringSubmatch(line); m != nil {
			result := m[2]
			if strings.HasPrefix(result, "fails") {
				result = "fails"
			}
			out[m[1]] = suiteExpectation{result: result, message: m[3], reason: m[4]}
		}
	}
	return out
}

// TestLua51Suite runs each file of the Lua 5.1 test suite under luapf
// --standalone, in a copy of the suite (some files write beside
// themselves), and holds it to docs/conformance.md: a file listed as
// passing exits 0; one listed as failing fails with the documented message
// (so a fix, or a new failure, shows); one not run says why. Every file of
// the suite must be listed, and closure.lua must pass.
func TestLua51Suite(t *testing.T) {
	want := suiteExpectations(t)
	if e := want["closure.lua"]; e.result != "passes" {
		t.Errorf("closure.lua must pass; docs/conformance.md says %q", e.result)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(suiteDir())); err != nil {
		t.Fatal(err)
	}
	// Test files write here; the copy made it read-only like the source.
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			os.Chmod(path, mode)
		}
		return nil
	})
	files, err := filepath.Glob(filepath.Join(dir, "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite files in %s: %v", dir, err)
	}
	sb := testutil.NewSandbox(t)
	bin := testutil.Binary(t)
	env := environ(sb, testCase{})
	listed := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		listed[name] = true
		e, ok := want[name]
		if !ok {
			t.Errorf("%s is not in docs/conformance.md's table of the suite's files", name)
			continue
		}
		if e.result != "passes" && len(strings.Fields(e.reason)) < 5 {
			t.Errorf("%s: the reason %q is too short to tell a reader why", name, e.reason)
		}
		t.Run(name, func(t *testing.T) {
			if e.result == "not run" {
				t.Skipf("not run: %s", e.reason)
			}
			res := runSuiteFile(t, sb, bin, dir, env, name)
			first, _, _ := strings.Cut(res.Stderr, "\n")
			switch e.result {
			case "passes":
				if res.Code != 0 {
					t.Errorf("exit status %d, want 0; stderr:\n%s", res.Code, res.Stderr)
				}
			case "fails":
				if res.Code == 0 || !strings.Contains(first, e.message) {
					t.Errorf("want a failure with %q (%s); got exit status %d and stderr:\n%s", e.message, e.reason, res.Code, res.Stderr)
				}
			}
		})
	}
	for name := range want {
		if !listed[name] {
			t.Errorf("docs/conformance.md lists %s, which is not in the suite", name)
		}
	}
}

// suiteDeadline bounds one file of the suite. Some take tens of seconds
// (nextvar.lua sets and clears tens of thousands of keys, which gopher-lua's
// tables do in quadratic time), more on a busy machine; testutil.Run's hang
// deadline is for calls that should be prompt.
const suiteDeadline = 5 * time.Minute

// runSuiteFile runs one file of the suite, one at a time: a few need
// gigabytes.
func runSuiteFile(t *testing.T, sb *testutil.Sandbox, bin, dir string, env []string, name string) testutil.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), suiteDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--standalone", name)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish in %v", name, suiteDeadline)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run %s: %v", name, err)
	}
	return testutil.ResultOf(cmd, stdout.String(), stderr.String())
}
