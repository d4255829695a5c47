package conformance_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"luapf/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }

// corpus is the directory of the conformance cases; every run has it as
// its working directory, where the cases find lib/ and data/.
func corpus() string { return testutil.ScriptPath("conformance") }

// preforkForLua51 gives lua5.1 a prefork module whose functions do
// nothing, so that the cases run unchanged: LUA_INIT runs before the script.
const preforkForLua51 = `package.preload.prefork = function() return {` +
	`initialisation_complete = function() end, autoreload_also_check = function() end} end`

// testCase is one way to run a corpus file: its arguments, standard input
// and environment.
type testCase struct {
	name  string // the file, and a variant's variable in brackets
	file  string
	args  []string
	stdin string   // file under the corpus, or ""
	env   []string // NAME=VALUE
}

var directive = regexp.MustCompile(`^-- conformance: (args|stdin|env|variant)(?: (.*))?$`)

// loadCases reads the corpus: each top-level .lua file, and a case more
// for each of its variants.
func loadCases(t *testing.T) []testCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus(), "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance cases in %s: %v", corpus(), err)
	}
	var cases []testCase
	for _, path := range files {
		base := testCase{name: filepath.Base(path), file: filepath.Base(path)}
		var variants []string
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			m := directive.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			switch m[1] {
			case "args":
				base.args = strings.Fields(m[2])
			case "stdin":
				base.stdin = m[2]
			case "env":
				base.env = append(base.env, m[2])
			case "variant":
				variants = append(variants, m[2])
			}
		}
		cases = append(cases, base)
		for _, v := range variants {
			c := base
			c.name = fmt.Sprintf("%s [%s]", base.name, v)
			c.env = append(append([]string(nil), base.env...), v)
			cases = append(cases, c)
		}
	}
	return cases
}

// environ is the sandbox's environment for a case: no variable that
// changes how either interpreter finds modules or starts, then the case's.
func environ(sb *testutil.Sandbox, c testCase, extra ...string) []string {
	var env []string
	for _, kv := range sb.Env {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "LUA_PATH", "LUA_CPATH", "LUA_PATH_5_1", "LUA_CPATH_5_1", "LUA_INIT", "LUA_INIT_5_1":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, c.env...), extra...)
}

// runCase runs the case with the program and first arguments of argv.
func runCase(t *testing.T, sb *testutil.Sandbox, c testCase, env []string, argv ...string) testutil.Result {
	t.Helper()
	cmd := sb.Command(argv[0], append(append(argv[1:], c.file), c.args...)...)
	cmd.Dir = corpus()
	cmd.Env = env
	stdin := ""
	if c.stdin != "" {
		data, err := os.ReadFile(filepath.Join(corpus(), c.stdin))
		if err != nil {
			t.Fatal(err)
		}
		stdin = string(data)
	}
	return testutil.Run(t, cmd, stdin)
}

// section is one "== title" part of a case's output.
type section struct{ title, text string }

// sections splits output at its "== title" lines; text before the first
// is the section "(start)".
func sections(out string) []section {
	secs := []section{{title: "(start)"}}
	for _, line := range strings.SplitAfter(out, "\n") {
		if title, ok := strings.CutPrefix(line, "== "); ok {
			secs = append(secs, section{title: strings.TrimSuffix(title, "\n")})
		}
		secs[len(secs)-1].text += line
	}
	return secs
}

// lua51Prefix matches lua5.1's program name where lua.c prints it.
var lua51Prefix = regexp.MustCompile(`(?m)^lua5\.1: `)

// tally counts what the corpus compared, for the summary.
type tally struct {
	mu                       sync.Mutex
	cases, runs              int
	compared, same, expected int
}

func (tl *tally) add(runs, compared, same, expected int) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.cases++
	tl.runs += runs
	tl.compared += compared
	tl.same += same
	tl.expected += expected
}

// TestConformance runs every case with lua5.1 and luapf (--standalone, as
// the spawning call and as two warm calls) and compares them as the
// package documentation says.
func TestConformance(t *testing.T) {
	testutil.RequirePeer(t, testutil.Lua51, testutil.LuaLibraries)
	known := knownDifferences(t)
	cases := loadCases(t)
	seen := map[string]bool{}
	var tl tally
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			seen[c.name] = true
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				checkCase(t, c, known[c.name], &tl)
			})
		}
	})
	for name := range known {
		if !seen[name] {
			t.Errorf("docs/conformance.md lists known differences of %q, which is not a case", name)
		}
	}
	t.Logf("%d cases, %d runs; %d sections, exit statuses and standard errors compared with lua5.1: %d identical, %d known differences",
		tl.cases, tl.runs, tl.compared, tl.same, tl.expected)
}

// checkCase is TestConformance for one case; listed maps the parts of it
// docs/conformance.md says differ to their reasons.
func checkCase(t *testing.T, c testCase, listed map[string]string, tl *tally) {
	sb := testutil.NewSandbox(t)
	bin := testutil.Binary(t)
	env := environ(sb, c)
	ref := runCase(t, sb, c, environ(sb, c, "LUA_INIT="+preforkForLua51), "lua5.1")
	cold := runCase(t, sb, c, env, bin, "--standalone")
	for i, name := range []string{"the call that starts the server", "warm call 1", "warm call 2"} {
		if d := cold.Diff(runCase(t, sb, c, env, bin)); d != "" {
			t.Errorf("%s (run %d) differs from luapf --standalone:\n%s", name, i+1, d)
		}
	}

	differs := map[string]string{} // part -> how
	refSecs, gotSecs := sections(ref.Stdout), sections(cold.Stdout)
	got := map[string]string{}
	for _, s := range gotSecs {
		got[s.title] = s.text
	}
	titles := map[string]bool{}
	for _, s := range refSecs {
		if titles[s.title] {
			t.Fatalf("the case has two sections titled %q", s.title)
		}
		titles[s.title] = true
		if g, ok := got[s.title]; !ok || g != s.text {
			differs[s.title] = fmt.Sprintf("--- lua5.1\n%s--- luapf\n%s", s.text, g)
		}
	}
	for _, s := range gotSecs {
		if !titles[s.title] {
			differs[s.title] = fmt.Sprintf("--- lua5.1 has no such section\n--- luapf\n%s", s.text)
		}
	}
	if ref.Code != cold.Code || ref.Signal != cold.Signal {
		differs["exit status"] = fmt.Sprintf("lua5.1 %d (signal %v), luapf %d (signal %v)", ref.Code, ref.Signal, cold.Code, cold.Signal)
	}
	if want := lua51Prefix.ReplaceAllString(ref.Stderr, "luapf: "); want != cold.Stderr {
		differs["stderr"] = fmt.Sprintf("--- lua5.1\n%s--- luapf\n%s", want, cold.Stderr)
	}

	compared := len(titles) + 2
	expected := 0
	for part, how := range differs {
		if reason, ok := listed[part]; ok {
			expected++
			t.Logf("known difference in %q (%s)", part, reason)
			continue
		}
		t.Errorf("%q differs from lua5.1, and docs/conformance.md does not list it:\n%s", part, how)
	}
	for part := range listed {
		if _, ok := differs[part]; !ok {
			t.Errorf("docs/conformance.md lists %q as differing, but it is identical to lua5.1's: remove the row", part)
		}
	}
	tl.add(5, compared, compared-len(differs), expected)
}

// knownRow is a row of docs/conformance.md's table of known differences:
// | `case` | part | difference | reason |.
var knownRow = regexp.MustCompile("^\\| `([^`]+)` \\| ([^|]+?) \\| [^|]+ \\| ([^|]+?) \\|$")

// knownDifferences reads the table: case -> part -> reason. A part is a
// section title in quotes, "exit status" or "stderr".
func knownDifferences(t *testing.T) map[string]map[string]string {
	t.Helper()
	path := filepath.Join(testutil.RepoRoot(), "docs", "conformance.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]map[string]string{}
	rows := 0
	for _, line := range strings.Split(string(data), "\n") {
		m := knownRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		part := strings.Trim(m[2], `"`)
		if known[m[1]] == nil {
			known[m[1]] = map[string]string{}
		}
		if _, dup := known[m[1]][part]; dup {
			t.Errorf("%s lists %s %q twice", path, m[1], part)
		}
		known[m[1]][part] = m[3]
		rows++
	}
	if rows == 0 {
		t.Fatalf("%s has no table of known differences", path)
	}
	return known
}

// TestKnownDifferencesHaveReasons keeps the table readable: every row says
// why, in a sentence.
func TestKnownDifferencesHaveReasons(t *testing.T) {
	known := knownDifferences(t)
	names := make([]string, 0, len(known))
	for name := range known {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for part, reason := range known[name] {
			if len(strings.Fields(reason)) < 5 {
				t.Errorf("%s %q: the reason %q is too short to tell a user why", name, part, reason)
			}
		}
	}
}
