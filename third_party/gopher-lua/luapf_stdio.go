package lua

// luapf: print and io.write share io.stdout's buffer, as Lua 5.1's share
// C's stdout (see basePrint).

import (
	"bufio"
	"io"
	"os"
	"reflect"
)

// registryStdout is the registry key of the io library's stdout file.
const registryStdout = "_LUAPF_STDOUT"

// stdoutWriter is where print writes: io.stdout's buffer once setvbuf
// gave it one, so that print and io.write keep their order; otherwise
// os.Stdout as it is now, as upstream wrote (an embedding program may
// replace os.Stdout), which is where an unbuffered io.stdout writes too.
func stdoutWriter(L *LState) io.Writer {
	if ud, ok := L.G.Registry.RawGetString(registryStdout).(*LUserData); ok {
		if f, ok := ud.Value.(*lFile); ok && !f.closed {
			if w, ok := f.writer.(*bufio.Writer); ok {
				return w
			}
		}
	}
	return os.Stdout
}

var baseToStringPointer = reflect.ValueOf(LGFunction(baseToString)).Pointer()

// isBaseToString reports whether v is the base library's tostring, which
// print can then skip calling.
func isBaseToString(v LValue) bool {
	fn, ok := v.(*LFunction)
	return ok && fn.IsG && fn.GFunction != nil && reflect.ValueOf(fn.GFunction).Pointer() == baseToStringPointer
}
