package host_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// readmeSection returns README.md's section "Embedding luapf in a Go
// program".
func readmeSection(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Embedding luapf in a Go program\n")
	if !ok {
		t.Fatal(`README.md has no section "Embedding luapf in a Go program"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// readmeMain returns the Go program the README's section shows.
func readmeMain(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile("(?s)\n```go\n(.*?)```\n").FindStringSubmatch(readmeSection(t))
	if m == nil {
		t.Fatal("the README's embedding section shows no Go program")
	}
	return m[1]
}

// TestReadmeMain: the main the README shows is the example program's,
// word for word, and it is short.
func TestReadmeMain(t *testing.T) {
	shown := readmeMain(t)
	src, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "examples", "jsonluapf", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(src), "\npackage main\n")
	if "package main\n"+code != shown {
		t.Errorf("README.md shows\n%s\nexamples/jsonluapf/main.go has\n%s", shown, "package main\n"+code)
	}
	_, fn, _ := strings.Cut(shown, "func main() {")
	if lines := strings.Count(fn, "\n"); lines > 10 {
		t.Errorf("the README's main is %d lines long", lines)
	}
}

// TestReadmeQuote: the README's run of the example prints what it says,
// warm and cold.
func TestReadmeQuote(t *testing.T) {
	m := regexp.MustCompile(`\n    \$ echo '([^']*)' \| bin/jsonluapf (\S+)\n    (.*)\n`).FindStringSubmatch(readmeSection(t))
	if m == nil {
		t.Fatal("the README's embedding section shows no run of the example")
	}
	stdin, script, want := m[1], filepath.Join(testutil.RepoRoot(), m[2]), m[3]+"\n"
	e := newEmbedded(t)
	bin := testutil.Program(t, jsonluapf)
	for _, args := range [][]string{{"--standalone", script}, {script}, {script}} {
		if res := e.run(bin, stdin, args...); res.Code != 0 || res.Stdout != want || res.Stderr != "" {
			t.Errorf("%q: %+v, want stdout %q", args, res, want)
		}
	}
}

// TestOutsideModule: a program in a module of its own, outside this
// repository, builds from the README's main, the example's json module
// and the go.mod lines the README gives, and runs its scripts.
func TestOutsideModule(t *testing.T) {
	root, err := filepath.Abs(testutil.RepoRoot())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n      require \(\n.*?\n      \)\n\n      replace \(\n.*?\n      \)\n`).FindString(readmeSection(t))
	if m == "" {
		t.Fatal("the README's embedding section gives no go.mod lines")
	}
	ours, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go \S+$`).Find(ours)
	gomod := "module example.com/jsontool\n\n" + string(goLine) + "\n" + strings.ReplaceAll(m, "\n      ", "\n")
	gomod = strings.ReplaceAll(gomod, "/path/to/luapf", root)
	json, err := os.ReadFile(filepath.Join(root, "examples", "jsonluapf", "json.go"))
	if err != nil {
		t.Fatal(err)
	}
	// go.sum from luapf's own: the build is offline, and the modules it
	// needs are luapf's dependencies, in the module cache.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "main.go": readmeMain(t), "json.go": string(json)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "jsontool")
	for _, argv := range [][]string{{"go", "mod", "tidy"}, {"go", "build", "-trimpath", "-o", bin, "."}} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q in a module with the README's go.mod lines:\n%s\n%s\n%s", argv, gomod, err, out)
		}
	}
	e := newEmbedded(t)
	script := filepath.Join(dir, "script.lua")
	if err := os.WriteFile(script, []byte(`print(require("json").encode({ outside = true }))`), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := e.run(bin, "", "--standalone", script); res.Code != 0 || res.Stdout != "{\"outside\":true}\n" {
		t.Errorf("the program built outside: %+v", res)
	}
}
