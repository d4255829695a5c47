package snapshot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Builtins indexes the library objects of a freshly opened Lua state: every
// table, Go function and userdata reachable from the globals, the registry
// and the builtin metatables, each under a path that does not depend on the
// process (for example "_G.string.format" or "_G.io.write^1" for an upvalue
// of a Go closure). Capture refers to such objects by path instead of
// carrying them, and Restore finds the executor's own object under the same
// path (lookupBuiltin, which walks the path instead of indexing the
// state: an executor needs a few of the objects, and indexing them all
// was most of its restore). Both sides must open their states the same way
// (same libraries, same preloaded Go modules), which holds because they are
// the same binary.
type Builtins struct {
	paths map[uintptr]string
	// ioType is io.type as the libraries made it, which capture asks
	// whether a userdata is a file (the script may replace _G.io.type).
	ioType lua.LValue
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
	b := &Builtins{paths: make(map[uintptr]string, 256)}
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
			b.paths[ptr] = it.path
			for _, k := range sortedScalarKeys(x) {
				queue = append(queue, item{it.path + "." + k.path, x.RawGet(k.key)})
			}
			queue = append(queue, item{it.path + "<mt>", x.Metatable})
		case *lua.LFunction:
			if !x.IsG {
				continue // a Lua function is carried like any other value
			}
			b.paths[ptr] = it.path
			for i, uv := range x.Upvalues {
				queue = append(queue, item{it.path + "^" + strconv.Itoa(i+1), uv.Value()})
			}
		case *lua.LUserData:
			b.paths[ptr] = it.path
			queue = append(queue, item{it.path + "<mt>", x.Metatable})
			if x.Env != nil {
				queue = append(queue, item{it.path + "<env>", x.Env})
			}
		}
	}
	b.ioType, _ = walkBuiltinPath(L, "_G.io.type")
	return b
}

// pathOf returns the path of v when it is a builtin object.
func (b *Builtins) pathOf(v lua.LValue) (string, bool) {
	p, ok := b.paths[pointerOf(v)]
	return p, ok
}

// lookupBuiltin returns the library object of L at path, a path
// IndexBuiltins gave, which must be of type want. It follows the path
// from its root as IndexBuiltins went: a path names the object at its
// end whichever way the index first reached it.
func lookupBuiltin(L *lua.LState, path string, want lua.LValueType) (lua.LValue, error) {
	v, err := walkBuiltinPath(L, path)
	if err != nil {
		return nil, fmt.Errorf("snapshot refers to library object %s, which this luapf does not have (%w)", path, err)
	}
	if v.Type() != want {
		return nil, fmt.Errorf("snapshot refers to library object %s as a %s, but it is a %s here", path, want, v.Type())
	}
	return v, nil
}

// walkBuiltinPath follows path from its root: _REGISTRY, _G or _MTi (the
// metatable of typeSamples' i-th value), then table keys (".name", ".[1]",
// ".[\"quoted\"]"), metatables ("<mt>"), a userdata's environment
// ("<env>") and a Go function's upvalues ("^1").
func walkBuiltinPath(L *lua.LState, path string) (lua.LValue, error) {
	root, rest := cutStep(path)
	var v lua.LValue
	switch {
	case root == "_REGISTRY":
		v = L.G.Registry
	case root == "_G":
		v = L.G.Global
	case strings.HasPrefix(root, "_MT"):
		samples := typeSamples(L)
		i, err := strconv.Atoi(root[len("_MT"):])
		if err != nil || i < 0 || i >= len(samples) {
			return nil, fmt.Errorf("no root %q", root)
		}
		v = L.GetMetatable(samples[i])
	default:
		return nil, fmt.Errorf("no root %q", root)
	}
	for rest != "" {
		if v == nil || v == lua.LNil {
			return nil, fmt.Errorf("nothing before %q", rest)
		}
		var err error
		if v, rest, err = walkStep(v, rest); err != nil {
			return nil, err
		}
	}
	if v == nil || v == lua.LNil {
		return nil, fmt.Errorf("nothing there")
	}
	return v, nil
}

// walkStep follows the first step of rest, which is not empty, from v.
func walkStep(v lua.LValue, rest string) (lua.LValue, string, error) {
	switch {
	case strings.HasPrefix(rest, "<mt>"):
		switch x := v.(type) {
		case *lua.LTable:
			return x.Metatable, rest[len("<mt>"):], nil
		case *lua.LUserData:
			return x.Metatable, rest[len("<mt>"):], nil
		}
	case strings.HasPrefix(rest, "<env>"):
		if x, ok := v.(*lua.LUserData); ok && x.Env != nil {
			return x.Env, rest[len("<env>"):], nil
		}
	case rest[0] == '^':
		index, after := cutStep(rest[1:])
		n, err := strconv.Atoi(index)
		if x, ok := v.(*lua.LFunction); ok && x.IsG && err == nil && n >= 1 && n <= len(x.Upvalues) {
			return x.Upvalues[n-1].Value(), after, nil
		}
	case rest[0] == '.':
		if t, ok := v.(*lua.LTable); ok {
			key, after, err := parseKeyPath(rest[1:])
			if err != nil {
				return nil, "", err
			}
			return t.RawGet(key), after, nil
		}
	}
	return nil, "", fmt.Errorf("cannot follow %q from a %s", rest, v.Type())
}

// parseKeyPath reads the key that keyPath rendered at the start of s and
// returns it with what follows it.
func parseKeyPath(s string) (lua.LValue, string, error) {
	switch {
	case strings.HasPrefix(s, "[\""):
		if quoted, err := strconv.QuotedPrefix(s[1:]); err == nil && strings.HasPrefix(s[1+len(quoted):], "]") {
			if str, err := strconv.Unquote(quoted); err == nil {
				return lua.LString(str), s[len(quoted)+2:], nil
			}
		}
	case strings.HasPrefix(s, "["):
		if end := strings.IndexByte(s, ']'); end > 0 {
			if n, err := strconv.ParseFloat(s[1:end], 64); err == nil {
				return lua.LNumber(n), s[end+1:], nil
			}
		}
	default:
		if name, after := cutStep(s); isIdentifier(name) {
			return lua.LString(name), after, nil
		}
	}
	return nil, "", fmt.Errorf("bad key at %q", s)
}

// cutStep splits s before the first step that follows it (".", "<", "^"),
// for a root, an upvalue index or an identifier key, none of which
// contains those.
func cutStep(s string) (head, rest string) {
	if i := strings.IndexAny(s, ".<^"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// scalarKey is a string or number key of a table and its keyPath.
type scalarKey struct {
	key  lua.LValue
	path string
}

// sortedScalarKeys returns the string and number keys of t in a fixed
// order, that of their paths. Each key's path is rendered once: rendering
// them in the comparisons took half of the indexing.
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
