package rundir

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// goldenHost is the fixed host of the golden vectors in
// testdata/ident_golden.pl.
func goldenHost() HostIdentity {
	h := HostIdentity{CwdDev: 2049, CwdIno: 123456, RootDev: 2049, RootIno: 2}
	for i, f := range []string{"Linux", "testhost", "6.1.0-test", "#1 SMP PREEMPT_DYNAMIC", "x86_64", "(none)"} {
		copy(h.Utsname[i*utsnameFieldLen:], f)
	}
	return h
}

// TestIdentGolden checks IdentSum against vectors computed by an
// independent implementation of the C client's byte layout
// (testdata/ident_golden.pl).
func TestIdentGolden(t *testing.T) {
	if strconv.IntSize != 64 || binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the golden vectors are for little-endian 64-bit machines")
	}
	luapf := []string{"/usr/bin/luapf"}
	env := func(name, value string, set bool) IdentItem {
		return IdentItem{Kind: IdentEnv, Text: name, Value: value, Set: set}
	}
	g := func(s string) IdentItem { return IdentItem{Kind: IdentString, Text: s} }
	tests := []struct {
		name string
		spec IdentSpec
		want string
	}{
		{"plain", IdentSpec{Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"841ae8a8c1c6d89336237c25f75bc36660df80829c84955226a8acba3f190dcc"},
		{"-E set", IdentSpec{Items: []IdentItem{env("HOME", "/home/u", true)}, Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"88df07ac50e292cadead161dd8c6a921d92a74fd44f190fa26ebb69bf3bf6caf"},
		{"-E unset", IdentSpec{Items: []IdentItem{env("HOME", "", false)}, Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"d56876e1e7f6725e8dd0d875856f8dc65d1c2c384e864b73efe7950f22b53c90"},
		{"-G a -G b", IdentSpec{Items: []IdentItem{g("a"), g("b")}, Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"1b422c7a88bcad681c554384b5172e0c47b97aefe558c53f0d37260352c96fbf"},
		{"-G b -G a", IdentSpec{Items: []IdentItem{g("b"), g("a")}, Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"7304be2f778d4baf5c89ff02d6e4f6e4515fb503ca68dc912c99e49b3efe4679"},
		{"-E unset -G -E set empty", IdentSpec{Items: []IdentItem{env("X", "", false), g("a"), env("Y", "", true)}, Interpreter: luapf, Script: "hello.lua", HasScript: true},
			"5e2822fcc478679478537d4c22de992a212979df3645f84eb426b462183613ca"},
		{"no script", IdentSpec{Interpreter: []string{"perl"}},
			"159d842acd343b4cc7a5ae21636590fa6614abb28867dc84ccf7c4fa8b677ec5"},
		{"interpreter argument", IdentSpec{Interpreter: []string{"perl", "-w"}, Script: "s.pl", HasScript: true},
			"d5ee1f7f1ce5409f600a5ad187e11c49c95aaadd3341d990536220f6d3476cd3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := IdentSum(goldenHost(), tt.spec)
			if got := hex.EncodeToString(sum[:]); got != tt.want {
				t.Errorf("IdentSum = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestIdentCoversModules: the Go modules an embedding program registers
// are part of the ident, framed so that no two sets collide with each
// other or with interpreter arguments; none leaves the C client's ident.
func TestIdentCoversModules(t *testing.T) {
	spec := func(interp []string, mods ...string) IdentSpec {
		return IdentSpec{Interpreter: interp, Modules: mods, Script: "s.lua", HasScript: true}
	}
	prog := []string{"/usr/local/bin/tool"}
	specs := map[string]IdentSpec{
		"none":                    spec(prog),
		"json":                    spec(prog, "json"),
		"json tag":                spec(prog, "json", "tag"),
		"jsontag":                 spec(prog, "jsontag"),
		"json as interpreter arg": spec([]string{prog[0], "json"}),
		"empty name":              spec(prog, ""),
	}
	seen := map[[32]byte]string{}
	for name, s := range specs {
		sum := IdentSum(goldenHost(), s)
		if other, dup := seen[sum]; dup {
			t.Errorf("%s and %s have the same ident", name, other)
		}
		seen[sum] = name
	}
	if IdentSum(goldenHost(), spec(prog)) != IdentSum(goldenHost(), spec(prog, []string{}...)) {
		t.Error("an empty module list changes the ident")
	}
}

func TestChooseIdentLength(t *testing.T) {
	var sum [32]byte
	for i := range sum {
		sum[i] = byte(i)
	}
	full := hex.EncodeToString(sum[:])
	tests := []struct {
		runDir, fixed, want, err string
	}{
		{runDir: "/run/user/1000/luapf", want: full},
		// 108 - 12 - len(runDir) = 40 characters left
		{runDir: "/" + strings.Repeat("d", 55), want: full[:40]},
		{runDir: "/" + strings.Repeat("d", 62), want: full[:33]},
		{runDir: "/" + strings.Repeat("d", 63), err: "fewer than 33"},
		{runDir: "/r", fixed: "abc", want: "abc"},
		{runDir: "/r", fixed: "a/b", err: "contains '/'"},
		{runDir: "/" + strings.Repeat("d", 93), fixed: "abc", err: "too long"},
	}
	for _, tt := range tests {
		got, err := ChooseIdent(tt.runDir, tt.fixed, sum)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ChooseIdent(%q, %q) error = %v, want one saying %q", tt.runDir, tt.fixed, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ChooseIdent(%q, %q) = %q, %v; want %q", tt.runDir, tt.fixed, got, err, tt.want)
		}
		if len(tt.runDir)+2+len(got) > sunPathLen {
			t.Errorf("socket path for %q does not fit in sun_path", tt.runDir)
		}
	}
}
