package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib/client"
)

// manPage is the man page that make install installs.
var manPage = filepath.Join("..", "..", "man", "luapf.1")

// TestManPageRenders: man -l and groff render the man page without a
// warning.
func TestManPageRenders(t *testing.T) {
	testutil.RequirePeer(t, testutil.Man)
	for _, argv := range [][]string{
		{"man", "-l", manPage},
		{"groff", "-man", "-Tutf8", "-ww", "-z", manPage},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("%q: %v, warnings:\n%s", argv, err, stderr.String())
		}
		if argv[0] == "man" && !strings.Contains(stdout.String(), "luapf - keep Lua scripts warm") {
			t.Errorf("%q rendered no NAME line:\n%s", argv, stdout.String())
		}
	}
}

// TestOptionsDocumented: every option --help shows is in the man page and
// in README.md's option table.
func TestOptionsDocumented(t *testing.T) {
	man, err := os.ReadFile(manPage)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	options := regexp.MustCompile(`(?m)^  (-[-\w]+)`).FindAllStringSubmatch(client.Usage(client.SyntaxLuapf), -1)
	if len(options) < 10 {
		t.Fatalf("found only %d options in --help", len(options))
	}
	for _, m := range options {
		opt := m[1]
		if !regexp.MustCompile(`(?m)^\.BI? ` + regexp.QuoteMeta(strings.ReplaceAll(opt, "-", `\-`)) + `\b`).Match(man) {
			t.Errorf("%s is not in the man page's OPTIONS", opt)
		}
		if !bytes.Contains(readme, []byte("`"+opt)) {
			t.Errorf("%s is not in README.md", opt)
		}
	}
}
