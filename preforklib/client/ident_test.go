package client

import (
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"luapf/internal/testutil"
	"luapf/preforklib/rundir"
)

// TestIdentFromCommandLine checks that -E reads the environment when the
// command line is parsed and that -g replaces the hash.
func TestIdentFromCommandLine(t *testing.T) {
	host := rundir.HostIdentity{CwdDev: 2049, CwdIno: 123456, RootDev: 2049, RootIno: 2}
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	sumOf := func(argv []string, env map[string]string) [32]byte {
		t.Helper()
		inv, err := ParseCommandLine(argv, "/usr/bin/luapf", lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		return rundir.IdentSum(host, inv.IdentSpec())
	}
	base := sumOf([]string{"luapf", "x.lua"}, nil)
	withE := sumOf([]string{"luapf", "-E", "V", "x.lua"}, map[string]string{"V": "1"})
	withE2 := sumOf([]string{"luapf", "-EV", "x.lua"}, map[string]string{"V": "2"})
	unsetE := sumOf([]string{"luapf", "-E=V", "x.lua"}, nil)
	emptyE := sumOf([]string{"luapf", "-E", "V", "x.lua"}, map[string]string{"V": ""})
	all := map[string][32]byte{"base": base, "V=1": withE, "V=2": withE2, "V unset": unsetE, "V empty": emptyE}
	seen := map[[32]byte]string{}
	for name, s := range all {
		if other, dup := seen[s]; dup {
			t.Errorf("%s and %s have the same ident", name, other)
		}
		seen[s] = name
	}
	if again := sumOf([]string{"luapf", "-E", "V", "x.lua"}, map[string]string{"V": "1"}); again != withE {
		t.Error("the same invocation gave two idents")
	}

	inv, err := ParseCommandLine([]string{"luapf", "-g", "myserver", "x.lua"}, "/usr/bin/luapf", lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := rundir.ChooseIdent("/run/user/1/luapf", inv.FixedIdent, base); err != nil || id != "myserver" {
		t.Errorf("ChooseIdent with -g = %q, %v; want myserver", id, err)
	}
}

// TestIdentMatchesCClient runs the real C client in a private mount
// namespace (so that its run directory is a fresh tmpfs, not the user's)
// and checks that the socket it creates has the ident luapf computes for
// the same invocation.
func TestIdentMatchesCClient(t *testing.T) {
	testutil.RequirePeer(t, testutil.CClient)
	if err := exec.Command("unshare", "--mount", "true").Run(); err != nil {
		t.Skipf("cannot make a mount namespace to isolate the C client's run directory: %v", err)
	}
	sb := testutil.NewSandbox(t)
	uid := strconv.Itoa(os.Getuid())
	tests := []struct {
		name string
		args []string // after -U
		env  []string
	}{
		{"script", []string{"/bin/false", "some-script", "arg"}, nil},
		{"no script", []string{"/bin/false"}, nil},
		{"-E -G", []string{"-E", "PFTEST_SET", "-G", "one", "-E", "PFTEST_UNSET", "-G", "two", "/bin/false", "s"}, []string{"PFTEST_SET=value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// /bin/false as the interpreter: setup fails at once (the C
			// client exits 1) and leaves the socket, named by the ident.
			script := `mount -t tmpfs -o mode=0755 none /run/user && mkdir -m 0700 /run/user/` + uid +
				` && "$@"; ls /run/user/` + uid + `/prefork-interp`
			cmd := sb.Command("unshare", append([]string{"--mount", "sh", "-c", script, "sh", cPreforkInterp, "-U"}, tt.args...)...)
			cmd.Env = sb.WithEnv(tt.env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("run the C client in a mount namespace: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
			}
			m := regexp.MustCompile(`(?m)^s([0-9a-f]{64})$`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("no socket in the C client's run directory: %q; its stderr: %q", out, stderr.String())
			}
			inv, err := ParseCommandLine(append([]string{"prefork-interp", "-U"}, tt.args...), "", func(k string) (string, bool) {
				for _, kv := range tt.env {
					if name, v, _ := strings.Cut(kv, "="); name == k {
						return v, true
					}
				}
				return "", false
			})
			if err != nil {
				t.Fatal(err)
			}
			host, err := rundir.ReadHostIdentity(sb.Dir)
			if err != nil {
				t.Fatal(err)
			}
			sum := rundir.IdentSum(host, inv.IdentSpec())
			if got := hex.EncodeToString(sum[:]); got != string(m[1]) {
				t.Errorf("luapf ident %s, C client ident %s", got, m[1])
			}
		})
	}
}

// cPreforkInterp is the C client, the reference implementation.
const cPreforkInterp = "/usr/bin/prefork-interp"

// TestIdentScript: under luapf's syntax every spelling of one path from
// one directory has one ident; symbolic links are not resolved; as
// prefork-interp the script is hashed as given, as the C client hashes it.
func TestIdentScript(t *testing.T) {
	getwd := func() (string, error) { return "/home/u/bin", nil }
	tests := []struct{ script, want string }{
		{"s.lua", "/home/u/bin/s.lua"},
		{"./s.lua", "/home/u/bin/s.lua"},
		{"././s.lua", "/home/u/bin/s.lua"},
		{"/home/u/bin/s.lua", "/home/u/bin/s.lua"},
		{"/home/u/bin//./s.lua", "/home/u/bin/s.lua"},
		{"../bin/s.lua", "/home/u/bin/s.lua"},
		{"sub/../s.lua", "/home/u/bin/s.lua"},
		{"link/s.lua", "/home/u/bin/link/s.lua"},
	}
	for _, tt := range tests {
		if got := identScript(tt.script, getwd); got != tt.want {
			t.Errorf("identScript(%q) = %q, want %q", tt.script, got, tt.want)
		}
	}
	failing := func() (string, error) { return "", os.ErrNotExist }
	if got := identScript("./a/../s.lua", failing); got != "s.lua" {
		t.Errorf("identScript without a working directory = %q, want the script cleaned", got)
	}

	host := rundir.HostIdentity{CwdDev: 1, CwdIno: 2}
	sum := func(argv ...string) [32]byte {
		t.Helper()
		inv, err := ParseCommandLine(argv, "/usr/bin/luapf", func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatal(err)
		}
		return rundir.IdentSum(host, inv.IdentSpec())
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	base := sum("luapf", "s.lua")
	for _, spelling := range []string{"./s.lua", "././s.lua", wd + "/s.lua"} {
		if sum("luapf", spelling) != base {
			t.Errorf("luapf %s has another ident than luapf s.lua", spelling)
		}
	}
	inv, err := ParseCommandLine([]string{"prefork-interp", "-U", "perl", "./s.pl"}, "", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.IdentSpec().Script; got != "./s.pl" {
		t.Errorf("as prefork-interp the ident covers the script %q, want it as given, ./s.pl", got)
	}
}
