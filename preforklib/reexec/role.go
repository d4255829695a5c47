package reexec

import (
	"os"
	"os/exec"
	"strings"

	"luapf/preforklib"
)

// Go cannot fork, so every helper process of luapf (watcher, server,
// executor) is a fresh execution of the luapf binary itself. The process is
// told which role to play by its argv[0], written as "luapf [ROLE]", which
// also makes `ps` show what each process is. This follows moby's reexec
// package, without its global registry: main builds a Roles table and asks it
// first thing whether this process is a re-executed helper.

// Roles maps a hidden role name to the function that runs it. The function
// receives the arguments after argv[0] and returns the process exit status.
type Roles map[string]func(args []string) int

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

// Run runs the role named by argv[0] when it names a registered one and
// reports its exit status. ok is false when argv[0] names no role, and the
// caller should carry on as the ordinary luapf command. A role name that is
// framed like a role but not registered is refused with status 127, so a
// mistyped or stale re-exec never falls through to the client.
func (r Roles) Run(argv []string) (status int, ok bool) {
	if len(argv) == 0 {
		return 0, false
	}
	name, isRole := RoleOf(argv[0])
	if !isRole {
		return 0, false
	}
	f, found := r[name]
	if !found {
		os.Stderr.WriteString("luapf: unknown internal role " + quoteRole(name) + " in argv[0]; this binary is not the one that started it\n")
		return preforklib.ExitClientError, true
	}
	return f(argv[1:]), true
}

func quoteRole(name string) string { return "'" + name + "'" }

// SelfExe is the path used to re-execute the running binary. /proc/self/exe
// names the executable even if its file was replaced or renamed since start.
const SelfExe = "/proc/self/exe"

// RoleCommand returns a command that re-executes this binary in role with
// args. The caller sets Env, ExtraFiles, SysProcAttr and the standard streams.
func RoleCommand(role string, args ...string) *exec.Cmd {
	cmd := exec.Command(SelfExe, args...)
	cmd.Args = append([]string{RoleArgv0(role)}, args...)
	return cmd
}
