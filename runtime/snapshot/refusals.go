package snapshot

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Why Capture refuses a state, and where: the errors it returns, and the
// paths that name the value it could not carry.

// CarryError reports a value that cannot travel from the setup process to an
// executor: an open file, a coroutine, a channel, a userdata or a Go
// function made at run time. Path says where it was found, the way a user
// would reach it (for example "global 'db'.conn").
type CarryError struct {
	Path string // where the value was found
	Type string // what it is: "userdata", "open file", "coroutine", ...
	Hint string // what to do instead
}

func (e *CarryError) Error() string {
	return fmt.Sprintf("cannot carry %s (%s) across initialisation_complete: %s", e.Path, e.Type, e.Hint)
}

// PlacementError reports a capture requested from somewhere other than a
// statement of the script's main chunk: the continuation can only resume
// there.
type PlacementError struct {
	Where string // where it was called from
}

func (e *PlacementError) Error() string {
	return fmt.Sprintf("initialisation_complete was called %s; call it as a statement in the script's main chunk, e.g. prefork.initialisation_complete()", e.Where)
}

// Error paths: how the walk reached a value, rendered the way a user would
// write it ("global 'db'.conn"), for CarryError.

// ref names an object (or a root) that a path starts from or goes through.
type ref struct {
	tag uint64 // tagTable, tagFunction, tagUserData, or tagNil for a root
	id  int    // object index, or root kind for tagNil
}

// Root kinds, for error paths.
const (
	rootLocal = iota
	rootGlobals
	rootRegistry
	rootMetatable
	rootMain
	rootArg
)

// step is one edge of a path: how an object was reached from its parent.
type step struct {
	from ref
	kind stepKind
	key  lua.LValue // field key, or nil
	name string     // local or upvalue name, type name
	n    int        // local register or upvalue slot
}

type stepKind byte

const (
	stepRoot stepKind = iota
	stepField
	stepKeyOf
	stepMetatable
	stepEnv
	stepUpvalue
)

// refuse builds the CarryError for a value reached through via.
func (e *encoder) refuse(via step, typ, hint string) error {
	return &CarryError{Path: e.path(via), Type: typ, Hint: hint}
}

// path renders how a value was reached, the way a user would write it.
func (e *encoder) path(s step) string {
	switch s.kind {
	case stepRoot:
		switch s.from.id {
		case rootLocal:
			if s.name != "" {
				return "local '" + s.name + "'"
			}
			return fmt.Sprintf("local #%d of the main chunk", s.n)
		case rootGlobals:
			return "_G"
		case rootRegistry:
			return "the registry"
		case rootMetatable:
			return "the metatable of type " + s.name
		case rootMain:
			return "the main chunk"
		case rootArg:
			return "arg"
		}
	}
	parent := e.parentPath(s.from)
	switch s.kind {
	case stepField:
		if s.from.tag == tagTable {
			t := e.tables.list[s.from.id]
			if str, ok := s.key.(lua.LString); ok {
				switch t {
				case e.L.G.Global:
					return "global '" + string(str) + "'"
				case e.L.G.Registry.RawGetString("_LOADED"):
					return "module '" + string(str) + "'"
				}
			}
		}
		return parent + fieldSuffix(s.key)
	case stepKeyOf:
		return "a key of " + parent
	case stepMetatable:
		return "the metatable of " + parent
	case stepEnv:
		return "the environment of " + parent
	case stepUpvalue:
		if s.name != "" {
			return "upvalue '" + s.name + "' of " + parent
		}
		return fmt.Sprintf("upvalue #%d of %s", s.n, parent)
	}
	return parent
}

func (e *encoder) parentPath(r ref) string {
	switch r.tag {
	case tagTable:
		return e.path(e.tables.via[r.id])
	case tagFunction:
		return e.path(e.funcs.via[r.id])
	case tagUserData:
		return e.path(e.udata.via[r.id])
	}
	return "?"
}

// fieldSuffix renders t[key] after a path: .name, ["odd key"], [3].
func fieldSuffix(key lua.LValue) string {
	switch k := key.(type) {
	case lua.LString:
		if isIdentifier(string(k)) {
			return "." + string(k)
		}
		return fmt.Sprintf("[%q]", string(k))
	case lua.LNumber:
		return "[" + k.String() + "]"
	case lua.LBool:
		return "[" + k.String() + "]"
	}
	return "[" + key.Type().String() + " key]"
}
