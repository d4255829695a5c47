package preforklib

// ProgramName is luapf's name: the prefix of its messages and the name of
// its run directories ($XDG_RUNTIME_DIR/luapf, ...).
const ProgramName = "luapf"

// ExitClientError is the status with which the client (and every luapf
// helper role) exits after one of its own errors, and after a script killed
// by a signal that cannot be re-raised faithfully (REFERENCE.md A, client
// exit status).
const ExitClientError = 127
