package client

// Usage returns the --help text for syntax.
func Usage(syntax Syntax) string {
	if syntax == SyntaxPreforkInterp {
		return preforkInterpUsage
	}
	return luapfUsage
}

const luapfUsage = `usage: luapf [options] SCRIPT [ARGS...]
   or: #!/usr/bin/luapf [options]      as the first line of SCRIPT
   or: luapf --status [SCRIPT]
   or: luapf --kill --all

Runs the Lua script SCRIPT kept warm: its initialisation runs once, in a
server; each call runs the rest with the caller's stdin, stdout, stderr,
working directory, arguments, environment and signals, and exits as the
script exits. Every spelling of SCRIPT's path (s.lua, ./s.lua, $PWD/s.lua)
from one directory shares one server.

options:
  -f             start a fresh server for SCRIPT; the old one quits
  --kill         stop SCRIPT's server and run nothing; exit 1 if none runs
  --all          with --kill: stop every server in the run directory
  --status       show what SCRIPT's server is doing, or list every server
                 and remove the sockets of dead ones; exit 0 if one runs,
                 1 if none
  --standalone   run SCRIPT in this process, without a server
  -E VAR         use different servers for different values of the
                 environment variable VAR (or its absence)
  -G STRING      use a different server for each STRING
  -g IDENT       name the server IDENT instead of a hash of the interpreter,
                 script, working directory, host and -E/-G options
  -U             pass arguments and environment unlaundered (the default;
                 the only way there is)
  --help         show this help
  --version      show luapf's version

On a #! line the options may be joined into one argument with spaces or
commas, as in "#!/usr/bin/luapf -E,LANG". See luapf(1).
`

const preforkInterpUsage = `usage: prefork-interp [options] INTERPRETER [SCRIPT [ARGS...]]
   or: #!/usr/bin/prefork-interp -U[,options],INTERPRETER[,INTERPRETER-ARGS]
(luapf running as prefork-interp: a drop-in for chiark-utils' client)

Runs SCRIPT with INTERPRETER kept warm by a server that the script starts
with its prefork library (Proc::Prefork::Interp for Perl).

options:
  -U             unlaundered arguments and environment (required)
  -f             start a fresh server; the old one quits
  --kill         stop the server and run nothing
  -E VAR         use different servers for different values of VAR
  -G STRING      use a different server for each STRING
  -g IDENT       name the server IDENT instead of a hash
  --help         show this help
`
