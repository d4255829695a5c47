package client

import (
	"reflect"
	"strings"
	"testing"

	"luapf/preforklib/rundir"
)

func TestSplitCombined(t *testing.T) {
	tests := []struct {
		arg      string
		combined bool
		want     []string
	}{
		{"-U,perl,-w", true, []string{"-U", "perl", "-w"}},
		{"-U perl -w", true, []string{"-U", "perl", "-w"}},
		{"-U perl", true, []string{"-U", "perl"}},
		{"-f,-E LANG", true, []string{"-f", "-E", "LANG"}},
		{"-f  ,,-G x", true, []string{"-f", "-G", "x"}},
		{"-U", false, nil},
		{"perl,-w", false, nil},
		{"", false, nil},
	}
	for _, tt := range tests {
		if got := IsCombined(tt.arg); got != tt.combined {
			t.Errorf("IsCombined(%q) = %v, want %v", tt.arg, got, tt.combined)
		}
		if tt.combined {
			if got := SplitCombined(tt.arg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitCombined(%q) = %q, want %q", tt.arg, got, tt.want)
			}
		}
	}
}

func TestParseCommandLine(t *testing.T) {
	const self = "/opt/luapf/bin/luapf"
	env := map[string]string{"LANG": "C", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name string
		argv []string
		want *Invocation // nil: an error is expected
		err  string
	}{
		{name: "luapf plain", argv: []string{"luapf", "s.lua", "a", "-f"},
			want: &Invocation{Interpreter: []string{self}, Script: "s.lua", HasScript: true, Args: []string{"a", "-f"}}},
		{name: "luapf shebang", argv: []string{"/usr/bin/luapf", "-f,-E LANG", "./s.lua", "x"},
			want: &Invocation{Mode: ModeFresh, Interpreter: []string{self}, Script: "./s.lua", HasScript: true, Args: []string{"x"},
				IdentItems: []rundir.IdentItem{{Kind: rundir.IdentEnv, Text: "LANG", Value: "C", Set: true}}}},
		{name: "luapf options", argv: []string{"luapf", "-U", "-GA", "-E=NOPE", "-EEMPTY", "-g", "id", "--kill", "--", "-s.lua"},
			want: &Invocation{Mode: ModeKill, Interpreter: []string{self}, Script: "-s.lua", HasScript: true, Unlaundered: true, FixedIdent: "id",
				IdentItems: []rundir.IdentItem{{Kind: rundir.IdentString, Text: "A"}, {Kind: rundir.IdentEnv, Text: "NOPE"}, {Kind: rundir.IdentEnv, Text: "EMPTY", Set: true}}}},
		{name: "luapf clustered", argv: []string{"luapf", "-UfGx", "s.lua"},
			want: &Invocation{Mode: ModeFresh, Interpreter: []string{self}, Script: "s.lua", HasScript: true, Unlaundered: true,
				IdentItems: []rundir.IdentItem{{Kind: rundir.IdentString, Text: "x"}}}},
		{name: "luapf standalone", argv: []string{"luapf", "--standalone", "s.lua", "1"},
			want: &Invocation{Mode: ModeStandalone, Interpreter: []string{self}, Script: "s.lua", HasScript: true, Args: []string{"1"}}},
		{name: "luapf help ends parsing", argv: []string{"luapf", "-f", "--help", "--bogus"},
			want: &Invocation{Mode: ModeHelp}},
		{name: "luapf version", argv: []string{"luapf", "--version"},
			want: &Invocation{Mode: ModeVersion}},
		{name: "luapf status", argv: []string{"luapf", "--status", "s.lua"},
			want: &Invocation{Mode: ModeStatus, Interpreter: []string{self}, Script: "s.lua", HasScript: true}},
		{name: "luapf status of all", argv: []string{"luapf", "--status"},
			want: &Invocation{Mode: ModeStatus, Interpreter: []string{self}}},
		{name: "luapf status with args", argv: []string{"luapf", "--status", "s.lua", "a"}, err: "--status takes at most a script"},
		{name: "luapf status and kill", argv: []string{"luapf", "--status", "--kill", "s.lua"}, err: "options --status and --kill conflict"},
		{name: "prefork-interp has no status", argv: []string{"prefork-interp", "-U", "--status", "perl"}, err: "unknown option --status"},
		{name: "luapf no script", argv: []string{"luapf", "-f"}, err: "no script given"},
		{name: "luapf kill all", argv: []string{"luapf", "--kill", "--all"},
			want: &Invocation{Mode: ModeKill, Interpreter: []string{self}, All: true}},
		{name: "luapf all kill", argv: []string{"luapf", "--all", "--kill"},
			want: &Invocation{Mode: ModeKill, Interpreter: []string{self}, All: true}},
		{name: "luapf all without kill", argv: []string{"luapf", "--all", "s.lua"}, err: "--all goes with --kill only"},
		{name: "luapf status all", argv: []string{"luapf", "--status", "--all"}, err: "--all goes with --kill only"},
		{name: "luapf kill all with script", argv: []string{"luapf", "--kill", "--all", "s.lua"}, err: "takes no script"},
		{name: "luapf kill all with -g", argv: []string{"luapf", "--kill", "--all", "-g", "x"}, err: "takes no script, -E, -G or -g"},
		{name: "prefork-interp has no --all", argv: []string{"prefork-interp", "-U", "--kill", "--all", "perl"}, err: "unknown option --all"},
		{name: "luapf conflicting modes", argv: []string{"luapf", "-f", "--kill", "s.lua"}, err: "options -f and --kill conflict"},
		{name: "luapf unknown", argv: []string{"luapf", "-x", "s.lua"}, err: "unknown option -x"},
		{name: "luapf unknown long", argv: []string{"luapf", "--frob", "s.lua"}, err: "unknown option --frob"},
		{name: "luapf value missing", argv: []string{"luapf", "s.lua", "-E"}, want: &Invocation{Interpreter: []string{self}, Script: "s.lua", HasScript: true, Args: []string{"-E"}}},
		{name: "luapf value missing at end", argv: []string{"luapf", "-E"}, err: "option -E needs a value"},
		{name: "luapf empty -g", argv: []string{"luapf", "-g", "", "s.lua"}, err: "non-empty ident"},
		{name: "luapf long with value", argv: []string{"luapf", "--kill=1", "s.lua"}, err: "takes no value"},
		{name: "luapf shebang non-option", argv: []string{"luapf", "-f lua", "s.lua"}, err: `"lua" is not an option`},
		{name: "luapf shebang without script", argv: []string{"luapf", "-f,-U"}, err: "no script after"},

		{name: "prefork-interp plain", argv: []string{"/usr/bin/prefork-interp", "-U", "perl", "s.pl", "a"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Interpreter: []string{"perl"}, Script: "s.pl", HasScript: true, Args: []string{"a"}, Unlaundered: true}},
		{name: "prefork-interp no script", argv: []string{"prefork-interp", "-U", "--kill", "perl"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Mode: ModeKill, Interpreter: []string{"perl"}, Unlaundered: true}},
		{name: "prefork-interp combined commas", argv: []string{"prefork-interp", "-U,perl,-w", "s.pl", "a"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Interpreter: []string{"perl", "-w"}, Script: "s.pl", HasScript: true, Args: []string{"a"}, Unlaundered: true}},
		{name: "prefork-interp combined spaces", argv: []string{"prefork-interp", "-U -G x perl", "s.pl"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Interpreter: []string{"perl"}, Script: "s.pl", HasScript: true, Unlaundered: true,
				IdentItems: []rundir.IdentItem{{Kind: rundir.IdentString, Text: "x"}}}},
		{name: "prefork-interp last mode wins", argv: []string{"prefork-interp", "-U", "-f", "--kill", "perl"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Mode: ModeKill, Interpreter: []string{"perl"}, Unlaundered: true}},
		{name: "prefork-interp help", argv: []string{"prefork-interp", "--help"},
			want: &Invocation{Syntax: SyntaxPreforkInterp, Mode: ModeHelp}},
		{name: "prefork-interp needs -U", argv: []string{"prefork-interp", "perl", "s.pl"}, err: "need -U"},
		{name: "prefork-interp needs interpreter", argv: []string{"prefork-interp", "-U"}, err: "no interpreter"},
		{name: "prefork-interp combined without interpreter", argv: []string{"prefork-interp", "-U,-f", "s.pl"}, err: "name no interpreter"},
		{name: "prefork-interp combined without script", argv: []string{"prefork-interp", "-U,perl"}, err: "no script after"},
		{name: "prefork-interp no --standalone", argv: []string{"prefork-interp", "-U", "--standalone", "perl"}, err: "unknown option --standalone"},
		{name: "prefork-interp no --version", argv: []string{"prefork-interp", "--version"}, err: "unknown option --version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommandLine(tt.argv, self, lookup)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseCommandLine(%q) = %+v, %v; want an error saying %q", tt.argv, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCommandLine(%q): %v", tt.argv, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCommandLine(%q)\n got %+v\nwant %+v", tt.argv, got, tt.want)
			}
		})
	}
}

func TestInvocationArgv(t *testing.T) {
	inv := &Invocation{Interpreter: []string{"perl", "-w"}, Script: "s.pl", HasScript: true, Args: []string{"a", ""}}
	if got, want := inv.Argv(), []string{"perl", "-w", "s.pl", "a", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("Argv() = %q, want %q", got, want)
	}
	inv = &Invocation{Interpreter: []string{"perl"}}
	if got, want := inv.Argv(), []string{"perl"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Argv() without script = %q, want %q", got, want)
	}
}

// FuzzParseCommandLine parses arbitrary command lines (a #! line's words
// come from whatever file is run): never a panic, and a call's script and
// arguments are exactly the last words of argv, passed on untouched.
func FuzzParseCommandLine(f *testing.F) {
	for _, seed := range []string{"-E\x00LANG\x00s.lua\x00a", "-f,-G,x\x00s.lua", "--\x00-s.lua\x00--kill", "-U\x00perl\x00s.pl", "-gid\x00s.lua\x00\x00"} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, words string, asPreforkInterp bool) {
		argv := append([]string{"luapf"}, strings.Split(words, "\x00")...)
		if asPreforkInterp {
			argv[0] = "/usr/bin/" + PreforkInterpName
		}
		env := func(name string) (string, bool) { return "v-" + name, len(name)%2 == 0 }
		inv, err := ParseCommandLine(argv, "/usr/bin/luapf", env)
		if err != nil || inv.Mode == ModeHelp || inv.Mode == ModeVersion {
			return
		}
		if len(inv.Interpreter) == 0 || inv.Syntax == SyntaxLuapf && (!inv.HasScript || !reflect.DeepEqual(inv.Interpreter, []string{"/usr/bin/luapf"})) {
			t.Fatalf("ParseCommandLine(%q) = %+v: no interpreter or script", argv, inv)
		}
		if inv.HasScript {
			tail := append([]string{inv.Script}, inv.Args...)
			if got := argv[len(argv)-len(tail):]; !reflect.DeepEqual(got, tail) {
				t.Fatalf("ParseCommandLine(%q): script and arguments %q are not the end of argv %q", argv, tail, got)
			}
		}
	})
}
