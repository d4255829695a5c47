// Package reexec is how luapf runs as several processes from one binary:
// Go cannot fork, so every helper process is luapf re-executed with argv[0]
// naming its role.
//
//   - role.go: the Role type; cmd/luapf lists every role in one table and
//     Dispatch runs the one this process plays (a hidden role named by
//     argv[0], setup when PREFORK_INTERP is set, else the client);
//     Command starts a hidden role.
//   - layout.go: the role names, and for each role the descriptors it
//     inherits beyond 0, 1 and 2, as named constants with one Layout each,
//     which both the parent (ExtraFiles) and the role (Inherit) use.
//   - inherit.go: taking inherited descriptors, and checking inherited
//     sockets, so that a role started by hand says what it lacks and exits
//     127 instead of misbehaving.
//   - fds.go: close-on-exec pipes, and making every inherited descriptor
//     close-on-exec before a client starts a server.
//   - sigaction_linux.go, jobcontrol_linux.go: signal actions: a script's
//     process dies of SIGINT, SIGTERM, SIGHUP and SIGQUIT as a C program
//     does, a server does not pass on signals its first caller ignored, a
//     client dies of the signal that killed its script, and stops itself
//     on SIGTSTP.
package reexec
