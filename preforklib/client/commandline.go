package client

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"luapf/preforklib/rundir"
)

// Syntax is the command line a client was started with.
type Syntax int

const (
	// SyntaxLuapf is luapf's own: luapf [options] SCRIPT [ARGS...]. The
	// interpreter is luapf itself.
	SyntaxLuapf Syntax = iota
	// SyntaxPreforkInterp is the C program's, used when argv[0]'s base
	// name is prefork-interp: prefork-interp [options] INTERP [SCRIPT
	// [ARGS...]], -U required.
	SyntaxPreforkInterp
)

// PreforkInterpName is the argv[0] base name that selects SyntaxPreforkInterp,
// so that a symbolic link makes luapf a drop-in for /usr/bin/prefork-interp.
const PreforkInterpName = "prefork-interp"

// SyntaxOf returns the syntax that argv0 selects.
func SyntaxOf(argv0 string) Syntax {
	if filepath.Base(argv0) == PreforkInterpName {
		return SyntaxPreforkInterp
	}
	return SyntaxLuapf
}

// Mode is what an invocation asks the client to do.
type Mode int

const (
	ModeCall       Mode = iota // run the script on its server, starting one if needed
	ModeFresh                  // -f: start a fresh server; the old one quits
	ModeKill                   // --kill: stop the server; run nothing
	ModeStandalone             // --standalone: run the script in this process
	ModeHelp                   // --help
	ModeVersion                // --version
	ModeStatus                 // --status: report what the server is doing; run nothing
)

var modeOptions = map[Mode]string{ModeFresh: "-f", ModeKill: "--kill", ModeStandalone: "--standalone", ModeStatus: "--status"}

// Invocation is a parsed client command line.
type Invocation struct {
	Syntax Syntax
	Mode   Mode
	// Interpreter is the program that runs the script and its own
	// arguments (from a combined #! argument such as -U,perl,-w).
	Interpreter []string
	Script      string
	HasScript   bool
	Args        []string
	// IdentItems are the -E and -G options in command-line order, with
	// the values -E found in the environment.
	IdentItems []rundir.IdentItem
	// FixedIdent is -g's ident, replacing the hash; "" when not given.
	FixedIdent string
	// Unlaundered records -U, the only argument and environment mediation.
	Unlaundered bool
	// Modules names the Lua modules implemented in Go that the
	// interpreter registers, when it is this binary (Runtime.Modules).
	Modules []string
	// All is --all: with --kill, stop every server in the run directory.
	All bool
}

// Argv returns the argv that setup is started with and that each call
// sends: the interpreter and its arguments, the script if any, the script's
// arguments.
func (inv *Invocation) Argv() []string {
	argv := append([]string(nil), inv.Interpreter...)
	if inv.HasScript {
		argv = append(argv, inv.Script)
	}
	return append(argv, inv.Args...)
}

// IdentSpec returns what the server ident covers of this invocation. Under
// luapf's syntax that is the script's absolute, lexically cleaned path
// (identScript), so that every spelling of one path from one directory
// names one server; as prefork-interp it is the script as given, which is
// what chiark's C client hashes.
func (inv *Invocation) IdentSpec() rundir.IdentSpec {
	script := inv.Script
	if inv.Syntax == SyntaxLuapf && inv.HasScript {
		script = identScript(script, os.Getwd)
	}
	return rundir.IdentSpec{Items: inv.IdentItems, Interpreter: inv.Interpreter, Modules: inv.Modules, Script: script, HasScript: inv.HasScript}
}

// identScript returns the path of script that luapf's server ident covers:
// absolute (joined to the working directory that getwd returns, which
// follows $PWD as a shell does) and lexically cleaned, symbolic links not
// resolved. s.lua, ./s.lua, ././s.lua and $PWD/s.lua are one path. If the
// working directory cannot be found, it is the script cleaned.
func identScript(script string, getwd func() (string, error)) string {
	if filepath.IsAbs(script) {
		return filepath.Clean(script)
	}
	wd, err := getwd()
	if err != nil {
		return filepath.Clean(script)
	}
	return filepath.Join(wd, script)
}

// IsCombined reports whether arg is a #! line's options in a single
// argument, as the kernel passes them: it starts with '-' and contains a
// space or a comma.
func IsCombined(arg string) bool {
	return strings.HasPrefix(arg, "-") && strings.ContainsAny(arg, " ,")
}

// SplitCombined splits a combined #! argument into words at spaces and
// commas.
func SplitCombined(arg string) []string {
	return strings.FieldsFunc(arg, func(r rune) bool { return r == ' ' || r == ',' })
}

// ParseCommandLine parses a client's argv. self is the luapf executable,
// the interpreter of SyntaxLuapf; lookupEnv reads the variables that -E
// names. --help and --version end the parse at once, like the C program's
// --help.
func ParseCommandLine(argv []string, self string, lookupEnv func(string) (string, bool)) (*Invocation, error) {
	if len(argv) == 0 {
		return nil, errors.New("empty argv")
	}
	p := parser{inv: &Invocation{Syntax: SyntaxOf(argv[0])}, lookupEnv: lookupEnv}
	inv := p.inv
	rest := argv[1:]
	if len(rest) > 0 && IsCombined(rest[0]) {
		combined := rest[0]
		words, err := p.options(SplitCombined(combined))
		if err != nil {
			return nil, err
		}
		if p.done {
			return inv, nil
		}
		rest = rest[1:]
		if len(rest) == 0 {
			return nil, fmt.Errorf("no script after the combined #! options %q", combined)
		}
		switch {
		case inv.Syntax == SyntaxPreforkInterp && len(words) == 0:
			return nil, fmt.Errorf("combined #! options %q name no interpreter", combined)
		case inv.Syntax == SyntaxPreforkInterp:
			inv.Interpreter = words
		case len(words) > 0:
			return nil, fmt.Errorf("combined #! options %q: %q is not an option (luapf is the interpreter; the script follows the options)", combined, words[0])
		}
	} else {
		var err error
		if rest, err = p.options(rest); err != nil {
			return nil, err
		}
		if p.done {
			return inv, nil
		}
		if inv.Syntax == SyntaxPreforkInterp {
			if len(rest) == 0 {
				return nil, errors.New("no interpreter given (usage: prefork-interp -U [options] INTERPRETER [SCRIPT [ARGS...]])")
			}
			inv.Interpreter, rest = rest[:1], rest[1:]
		}
	}
	if inv.Syntax == SyntaxLuapf {
		inv.Interpreter = []string{self}
	}
	if len(rest) > 0 {
		inv.Script, inv.HasScript = rest[0], true
		if len(rest) > 1 {
			inv.Args = rest[1:]
		}
	}
	switch {
	case inv.Syntax == SyntaxPreforkInterp && !inv.Unlaundered:
		return nil, errors.New("need -U (unlaundered argument and environment handling, the only kind there is)")
	case inv.Mode == ModeStatus && len(inv.Args) > 0:
		return nil, fmt.Errorf("--status takes at most a script, not its arguments (%q)", inv.Args)
	case inv.All && inv.Mode != ModeKill:
		return nil, errors.New("--all goes with --kill only: luapf --kill --all stops every server")
	case inv.All && (inv.HasScript || len(inv.IdentItems) > 0 || inv.FixedIdent != ""):
		return nil, errors.New("luapf --kill --all stops every server: it takes no script, -E, -G or -g")
	case inv.Syntax == SyntaxLuapf && !inv.HasScript && inv.Mode != ModeStatus && !inv.All:
		return nil, errors.New("no script given (usage: luapf [options] SCRIPT [ARGS...]; see luapf --help)")
	}
	return inv, nil
}

// parser holds the state of one option parse.
type parser struct {
	inv       *Invocation
	lookupEnv func(string) (string, bool)
	modeSet   bool
	done      bool // --help or --version: nothing more to parse
}

// options parses the options at the start of words, in the style of the C
// program (clustered short options; values attached, after '=' or in the
// next word; "--" ends the options) and returns the words after them.
func (p *parser) options(words []string) ([]string, error) {
	i := 0
	for i < len(words) && !p.done {
		w := words[i]
		if w == "--" {
			return words[i+1:], nil
		}
		if len(w) < 2 || w[0] != '-' {
			break
		}
		i++
		if strings.HasPrefix(w, "--") {
			if err := p.long(w); err != nil {
				return nil, err
			}
			continue
		}
		for j := 1; j < len(w); j++ {
			c := w[j]
			if !strings.ContainsRune("EGg", rune(c)) {
				if err := p.short(c); err != nil {
					return nil, err
				}
				continue
			}
			value := w[j+1:]
			if value == "" {
				if i == len(words) {
					return nil, fmt.Errorf("option -%c needs a value (see --help)", c)
				}
				value = words[i]
				i++
			} else {
				value = strings.TrimPrefix(value, "=")
			}
			if err := p.valued(c, value); err != nil {
				return nil, err
			}
			break
		}
	}
	return words[i:], nil
}

func (p *parser) long(w string) error {
	name, _, hasValue := strings.Cut(w[2:], "=")
	if hasValue {
		return fmt.Errorf("option --%s takes no value", name)
	}
	switch {
	case name == "help":
		p.inv.Mode, p.done = ModeHelp, true
		return nil
	case name == "kill":
		return p.setMode(ModeKill)
	case name == "version" && p.inv.Syntax == SyntaxLuapf:
		p.inv.Mode, p.done = ModeVersion, true
		return nil
	case name == "standalone" && p.inv.Syntax == SyntaxLuapf:
		return p.setMode(ModeStandalone)
	case name == "status" && p.inv.Syntax == SyntaxLuapf:
		return p.setMode(ModeStatus)
	case name == "all" && p.inv.Syntax == SyntaxLuapf:
		p.inv.All = true
		return nil
	}
	return fmt.Errorf("unknown option --%s (see --help)", name)
}

func (p *parser) short(c byte) error {
	switch c {
	case 'U':
		p.inv.Unlaundered = true
		return nil
	case 'f':
		return p.setMode(ModeFresh)
	}
	return fmt.Errorf("unknown option -%c (see --help)", c)
}

func (p *parser) valued(c byte, value string) error {
	switch c {
	case 'E':
		v, set := p.lookupEnv(value)
		p.inv.IdentItems = append(p.inv.IdentItems, rundir.IdentItem{Kind: rundir.IdentEnv, Text: value, Value: v, Set: set})
	case 'G':
		p.inv.IdentItems = append(p.inv.IdentItems, rundir.IdentItem{Kind: rundir.IdentString, Text: value})
	case 'g':
		if value == "" {
			return errors.New("option -g needs a non-empty ident")
		}
		p.inv.FixedIdent = value
	}
	return nil
}

// setMode records a mode option. The C program lets the last of -f and
// --kill win, and so does its syntax here; luapf's own refuses a mix.
func (p *parser) setMode(m Mode) error {
	if p.modeSet && p.inv.Mode != m && p.inv.Syntax == SyntaxLuapf {
		return fmt.Errorf("options %s and %s conflict", modeOptions[p.inv.Mode], modeOptions[m])
	}
	p.inv.Mode, p.modeSet = m, true
	return nil
}
