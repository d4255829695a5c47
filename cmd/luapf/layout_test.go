package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"luapf/internal/testutil"
)

// The repository's layout: packages small enough to read, each described
// where a newcomer looks, and a repository that stands alone.

// maxPackageFiles is how many non-test Go files a package directory under
// preforklib, runtime or cmd may hold: past that, it holds more than one
// concern and should be split.
const maxPackageFiles = 14

// goPackageDirs returns the directories below root/dir that hold Go files,
// relative to root, skipping testdata.
func goPackageDirs(t *testing.T, root string, dirs ...string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") {
				rel, _ := filepath.Rel(root, filepath.Dir(path))
				if !seen[rel] {
					seen[rel] = true
					out = append(out, rel)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestPackageSize: no package directory under preforklib, runtime or cmd
// holds more than maxPackageFiles non-test Go files.
func TestPackageSize(t *testing.T) {
	root := testutil.RepoRoot()
	dirs := goPackageDirs(t, root, "preforklib", "runtime", "cmd")
	if len(dirs) < 10 {
		t.Fatalf("found only %d package directories: %q", len(dirs), dirs)
	}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var code []string
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				code = append(code, filepath.Base(f))
			}
		}
		if len(code) > maxPackageFiles {
			t.Errorf("%s holds %d non-test Go files, more than %d: split it by concern\n%s", dir, len(code), maxPackageFiles, strings.Join(code, " "))
		}
	}
}

// TestPackagesDescribed: every package of luapf's own has a doc comment,
// and README.md's Development table has a row for it.
func TestPackagesDescribed(t *testing.T) {
	root := testutil.RepoRoot()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllSubmatch(readme, -1) {
		rows[string(m[1])] = true
	}
	for _, dir := range goPackageDirs(t, root, "preforklib", "runtime", "cmd", "internal") {
		if !rows[dir] {
			t.Errorf("README.md's Development table has no row for %s", dir)
		}
		pkgs, err := parser.ParseDir(token.NewFileSet(), filepath.Join(root, dir), func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		for name, pkg := range pkgs {
			var doc string
			for _, f := range pkg.Files {
				if f.Doc != nil {
					doc += f.Doc.Text()
				}
			}
			want := "Package " + name + " "
			if name == "main" {
				want = "Command luapf "
			}
			if !strings.HasPrefix(doc, want) {
				t.Errorf("%s: the package's doc comment does not start %q: %.60q", dir, want, doc)
			}
		}
	}
}

// TestInstallPrefix: make install puts luapf where the README's and the
// man page's #! lines say it is.
func TestInstallPrefix(t *testing.T) {
	root := testutil.RepoRoot()
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PREFIX \?= (\S+)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("no PREFIX ?= line in the Makefile")
	}
	installed := string(m[1]) + "/bin/luapf"
	if !regexp.MustCompile(`(?m)^\tinstall -m 0755 \$\(BIN\) \$\(DESTDIR\)\$\(PREFIX\)/bin/luapf$`).Match(makefile) {
		t.Error("make install does not install $(BIN) as $(PREFIX)/bin/luapf")
	}
	shebang := regexp.MustCompile(`#!(/\S*/luapf)\b`)
	for _, doc := range []string{"README.md", "man/luapf.1"} {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		matches := shebang.FindAllSubmatch(text, -1)
		if len(matches) == 0 {
			t.Errorf("%s shows no #! line for luapf", doc)
		}
		for _, m := range matches {
			path := string(m[1])
			if path == installed {
				continue
			}
			// Another place is fine where the same text says how to
			// install luapf there.
			if prefix := strings.TrimSuffix(path, "/bin/luapf"); !strings.Contains(string(text), "make install PREFIX="+prefix+" ") {
				t.Errorf("%s starts a script with #!%s, but make install puts luapf at %s", doc, path, installed)
			}
		}
	}
}

// TestStandsAlone: nothing in the repository points at files outside it
// (the team's background documents, the machine it was written on).
func TestStandsAlone(t *testing.T) {
	root := testutil.RepoRoot()
	outside := regexp.MustCompile(`REFERENCE\.md|/work/|\.\./shared/`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == ".git" { // a directory, or in a worktree a file naming one
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			switch rel {
			case ".git", "third_party", "bin":
				return filepath.SkipDir
			}
			if strings.HasPrefix(rel, "bench/out") {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == filepath.Join("cmd", "luapf", "layout_test.go") {
			return nil // this test names what it looks for
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := outside.FindIndex(data); loc != nil {
			line := 1 + strings.Count(string(data[:loc[0]]), "\n")
			t.Errorf("%s:%d points outside the repository: %q", rel, line, data[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
