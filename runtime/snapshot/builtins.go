package snapshot

import (
	"fmt"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// Builtins indexes the library objects of a freshly opened Lua state: every
// table, Go function and userdata reachable from the globals, the registry
// and the builtin metatables, each under a path that does not depend on the
// process (for example "_G.string.format" or "_G.io.write^1" for an upvalue
// of a Go closure). Capture refers to such objects by path instead of
// carrying them, and Restore finds the executor's own object under the same
// path. Both sides must open their states the same way (same libraries, same
// preloaded Go modules), which holds because they are the same binary.
type Builtins struct {
	paths   map[uintptr]string
	objects map[string]lua.LValue
}

// typeSamples are values of the types whose metatable is shared by the type
// (gopher-lua's builtin metatables), in a fixed order.
func typeSamples(L *lua.LState) []lua.LValue {
	return []lua.LValue{lua.LNil, lua.LFalse, lua.LNumber(0), lua.LString(""), L.NewFunction(func(*lua.LState) int { return 0 }), L}
}

// IndexBuiltins walks L, which must not have run any script yet, and
// records its library objects. Call it right after opening the libraries
// and registering Go modules.
func IndexBuiltins(L *lua.LState) *Builtins {
	// Sized for the libraries luapf opens (163 objects), so that the maps
	// do not grow while every executor indexes them.
	b := &Builtins{paths: make(map[uintptr]string, 256), objects: make(map[string]lua.LValue, 256)}
	type item struct {
		path string
		v    lua.LValue
	}
	queue := []item{{"_REGISTRY", L.G.Registry}, {"_G", L.G.Global}}
	for i, sample := range typeSamples(L) {
		if mt := L.GetMetatable(sample); mt != lua.LNil {
			queue = append(queue, item{"_MT" + strconv.Itoa(i), mt})
		}
	}
	// Breadth first with sorted keys: the first, shortest path to an object
	// names it, the same way in every process.
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		ptr := pointerOf(it.v)
		if ptr == 0 {
			continue
		}
		if _, seen := b.paths[ptr]; seen {
			continue
		}
		switch x := it.v.(type) {
		case *lua.LTable:
			b.add(ptr, it.path, x)
			for _, k := range sortedScalarKeys(x) {
				queue = append(queue, item{it.path + "." + k.path, x.RawGet(k.key)})
			}
			queue = append(queue, item{it.path + "<mt>", x.Metatable})
		case *lua.LFunction:
			if !x.IsG {
				continue // a Lua function is carried like any other value
			}
			b.add(ptr, it.path, x)
			for i, uv := range x.Upvalues {
				queue = append(queue, item{it.path + "^" + strconv.Itoa(i+1), uv.Value()})
			}
		case *lua.LUserData:
			b.add(ptr, it.path, x)
			queue = append(queue, item{it.path + "<mt>", x.Metatable})
			if x.Env != nil {
				queue = append(queue, item{it.path + "<env>", x.Env})
			}
		}
	}
	return b
}

func (b *Builtins) add(ptr uintptr, path string, v lua.LValue) {
	b.paths[ptr] = path
	b.objects[path] = v
}

// pathOf returns the path of v when it is a builtin object.
func (b *Builtins) pathOf(v lua.LValue) (string, bool) {
	p, ok := b.paths[pointerOf(v)]
	return p, ok
}

// lookup returns the builtin object at path, which must be of type want.
func (b *Builtins) lookup(path string, want lua.LValueType) (lua.LValue, error) {
	v, ok := b.objects[path]
	if !ok {
		return nil, fmt.Errorf("snapshot refers to library object %s, which this luapf does not have", path)
	}
	if v.Type() != want {
		return nil, fmt.Errorf("snapshot refers to library object %s as a %s, but it is a %s here", path, want, v.Type())
	}
	return v, nil
}

// scalarKey is a string or number key of a table and its keyPath.
type scalarKey struct {
	key  lua.LValue
	path string
}

// sortedScalarKeys returns the string and number keys of t in a fixed
// order, that of their paths. Each key's path is rendered once: every
// executor indexes the builtins before its call, and rendering them in
// the comparisons took half of that.
func sortedScalarKeys(t *lua.LTable) []scalarKey {
	var keys []scalarKey
	t.ForEach(func(k, _ lua.LValue) {
		switch k.(type) {
		case lua.LString, lua.LNumber:
			keys = append(keys, scalarKey{k, keyPath(k)})
		}
	})
	sort.Slice(keys, func(i, j int) bool { return keys[i].path < keys[j].path })
	return keys
}

// keyPath renders a key inside a builtin path: identifiers as they are,
// other strings quoted and numbers bare, both in brackets, so that no two
// keys render alike.
func keyPath(k lua.LValue) string {
	if n, ok := k.(lua.LNumber); ok {
		return "[" + strconv.FormatFloat(float64(n), 'g', -1, 64) + "]"
	}
	s := string(k.(lua.LString))
	if isIdentifier(s) {
		return s
	}
	return "[" + strconv.Quote(s) + "]"
}

// isIdentifier reports whether s is a Lua name.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		digit := c >= '0' && c <= '9'
		if !letter && !(digit && i > 0) {
			return false
		}
	}
	return true
}
