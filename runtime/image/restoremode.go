package image

import (
	"fmt"
	"os"
)

// EnvRestore chooses how executors restore the image's state: "lazy" (the
// default: objects made and tables loaded as the call uses them) or
// "eager" (everything before the call, as luapf did before lazy restore;
// the tests run every script both ways and the benchmarks compare them).
// The server reads it when it starts, and its executors inherit its
// environment, which is that of the call that started the server.
const EnvRestore = "LUAPF_RESTORE"

// RestoreMode reads EnvRestore: whether executors restore eagerly.
func RestoreMode() (eager bool, err error) {
	switch v := os.Getenv(EnvRestore); v {
	case "", "lazy":
		return false, nil
	case "eager":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: it must be \"lazy\" or \"eager\" (or unset, for lazy)", EnvRestore, v)
	}
}
