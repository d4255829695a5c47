package reexec

import (
	"os"
	"os/exec"
	"strings"

	"luapf/preforklib"
)

// A Role is one kind of luapf process and the function that runs it.
//
// Go cannot fork, so every helper process of luapf (watcher, server,
// executor, the nofile probe) is a fresh execution of the luapf binary
// itself, a hidden role told which it is by its argv[0], written as
// "luapf [ROLE]", which also makes `ps` show what each process is. Setup
// is the interpreter a client runs with PREFORK_INTERP set, and the client
// is everything else. This follows moby's reexec package, without its
// global registry: main lists every role in one table and Dispatch runs
// the one this process plays.
type Role struct {
	// Name names the role; for a hidden role it is what argv[0] carries.
	Name string
	// Hidden says the role is started by luapf re-executing itself with
	// argv[0] naming it (Command).
	Hidden bool
	// Env, if not empty, selects the role when that environment variable
	// is set.
	Env string
	// Main runs the role with the process's argv and returns the exit
	// status.
	Main func(argv []string) int
}

// Dispatch runs the role argv and the environment (read with lookupEnv)
// select from roles, and returns its exit status: the hidden role argv[0]
// names; else the first role whose Env is set; else the one role that is
// neither hidden nor selected by Env, the default. An argv[0] framed like
// a role that names no hidden role is refused with ExitLuapfError, so
// that a mistyped or stale re-exec never falls through to the default.
func Dispatch(roles []Role, argv []string, lookupEnv func(string) (string, bool)) int {
	if len(argv) > 0 {
		if name, isRole := RoleOf(argv[0]); isRole {
			for _, r := range roles {
				if r.Hidden && r.Name == name {
					return r.Main(argv)
				}
			}
			preforklib.Say(os.Stderr, "unknown internal role %s in argv[0]; this binary is not the one that started it", quoteRole(name))
			return preforklib.ExitLuapfError
		}
	}
	for _, r := range roles {
		if _, set := lookupEnv(r.Env); !r.Hidden && r.Env != "" && set {
			return r.Main(argv)
		}
	}
	for _, r := range roles {
		if !r.Hidden && r.Env == "" {
			return r.Main(argv)
		}
	}
	preforklib.Say(os.Stderr, "internal error: no role to play for argv %q", argv)
	return preforklib.ExitLuapfError
}

// roleArgv0Prefix and roleArgv0Suffix frame a role name in argv[0].
const (
	roleArgv0Prefix = "luapf ["
	roleArgv0Suffix = "]"
)

// RoleArgv0 returns the argv[0] that starts role.
func RoleArgv0(role string) string {
	return roleArgv0Prefix + role + roleArgv0Suffix
}

// RoleOf returns the role named by argv0, if it names one.
func RoleOf(argv0 string) (string, bool) {
	if !strings.HasPrefix(argv0, roleArgv0Prefix) || !strings.HasSuffix(argv0, roleArgv0Suffix) {
		return "", false
	}
	return argv0[len(roleArgv0Prefix) : len(argv0)-len(roleArgv0Suffix)], true
}

func quoteRole(name string) string { return "'" + name + "'" }

// SelfExe is the path used to re-execute the running binary. /proc/self/exe
// names the executable even if its file was replaced or renamed since start.
const SelfExe = "/proc/self/exe"

// Command returns a command that re-executes this binary in the hidden
// role with args. The caller sets Env, ExtraFiles (Layout.ExtraFiles),
// SysProcAttr and the standard streams.
func Command(role string, args ...string) *exec.Cmd {
	cmd := exec.Command(SelfExe, args...)
	cmd.Args = append([]string{RoleArgv0(role)}, args...)
	return cmd
}
