package warm

import (
	"io"

	"luapf/preforklib"
)

// prepareCall makes this executor's process what a cold run of the script
// would be by the time the initialisation is done, once the caller's files
// and environment are taken: the initialisation's os.setenv calls on top of
// the caller's environment.
func prepareCall(it *interp, req *preforklib.Request, warn io.Writer) {
	applyInitEnv(it.initEnv)
}
