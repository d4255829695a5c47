package snapshot

import (
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// CaptureConfig names what Capture needs besides the running state.
type CaptureConfig struct {
	// Builtins indexes the state's library objects as they were before the
	// script ran (IndexBuiltins).
	Builtins *Builtins
	// Main is the script's main chunk. The Go function calling Capture must
	// have been called by it, as a statement.
	Main *lua.LFunction
	// Arg is the table the script received as its global arg, or nil. An
	// executor refills this very table with its call's arguments.
	Arg *lua.LTable
}

// Capture serialises the state of L while a Go function called as a
// statement of cfg.Main is running: every value reachable from the main
// chunk's locals, the globals, the registry and the builtin metatables, the
// compiled code of every function, and the point after the call. It
// returns a *PlacementError when the caller is not such a statement and a
// *CarryError naming the first value that cannot be carried.
func Capture(L *lua.LState, cfg CaptureConfig) ([]byte, error) {
	e, rp, err := walkState(L, cfg)
	if err != nil {
		return nil, err
	}
	return e.encode(cfg, rp)
}

// Check reports the error Capture would give at this point, without
// encoding anything: --standalone uses it so that a script that could not
// run warm fails the same way when run cold.
func Check(L *lua.LState, cfg CaptureConfig) error {
	_, _, err := walkState(L, cfg)
	return err
}

// walkState finds the resume point and every reachable object.
func walkState(L *lua.LState, cfg CaptureConfig) (*encoder, resumePoint, error) {
	if err := loadInternals(); err != nil {
		return nil, resumePoint{}, fmt.Errorf("capture: %w", err)
	}
	if cfg.Builtins == nil || cfg.Main == nil || cfg.Main.IsG {
		return nil, resumePoint{}, fmt.Errorf("capture: a builtins index and the Lua main chunk are required")
	}
	rp, err := findResumePoint(L, cfg.Main)
	if err != nil {
		return nil, rp, err
	}
	e := newEncoder(L, cfg.Builtins, rp)
	return e, rp, e.walk(cfg, rp)
}

// objectSet numbers the objects of one kind in the order they are found
// and remembers how each was first reached, for error paths.
type objectSet[T comparable] struct {
	list []T
	ids  map[T]int
	via  []step
}

func newObjectSet[T comparable]() objectSet[T] { return objectSet[T]{ids: map[T]int{}} }

func (s *objectSet[T]) has(x T) bool { _, ok := s.ids[x]; return ok }

// add records x if it is new and returns its index.
func (s *objectSet[T]) add(x T, via step) (id int, isNew bool) {
	if id, ok := s.ids[x]; ok {
		return id, false
	}
	id = len(s.list)
	s.ids[x] = id
	s.list = append(s.list, x)
	s.via = append(s.via, via)
	return id, true
}

// encoder discovers every object reachable from the roots, breadth first
// (so error paths are the shortest), then writes them out.
type encoder struct {
	L        *lua.LState
	builtins *Builtins
	mainReg  uintptr
	rp       resumePoint

	tables  objectSet[*lua.LTable]
	entries [][]entry // hash-part entries of each table, in key order
	funcs   objectSet[*lua.LFunction]
	udata   objectSet[*lua.LUserData]
	udKind  []byte

	cells       []*lua.Upvalue
	cellIDs     map[*lua.Upvalue]int
	cellOpenReg []int // register of an open main-chunk cell, or -1

	protos   []*lua.FunctionProto
	protoIDs map[*lua.FunctionProto]int

	queue     []ref                  // objects whose contents are still to be visited
	byPointer map[uintptr]lua.LValue // see deletedObjectKey

	// Written by encode.
	pool    *stringPool
	numbers []uint64 // numbers boxed out of value words
	bug     error    // an internal inconsistency met while encoding
}

func newEncoder(L *lua.LState, b *Builtins, rp resumePoint) *encoder {
	return &encoder{
		L: L, builtins: b, mainReg: registryID(L), rp: rp,
		tables: newObjectSet[*lua.LTable](), funcs: newObjectSet[*lua.LFunction](),
		udata: newObjectSet[*lua.LUserData](), cellIDs: map[*lua.Upvalue]int{},
		protoIDs: map[*lua.FunctionProto]int{},
	}
}

// walk visits the roots in the order that gives the friendliest paths in
// error messages: the main chunk's locals, the globals, the registry.
func (e *encoder) walk(cfg CaptureConfig, rp resumePoint) error {
	names := localNames(cfg.Main.Proto, rp.pc, len(rp.locals))
	for i, v := range rp.locals {
		if err := e.visit(v, step{from: ref{id: rootLocal}, kind: stepRoot, name: names[i], n: i + 1}); err != nil {
			return err
		}
	}
	roots := []struct {
		kind int
		v    lua.LValue
	}{
		{rootGlobals, e.L.G.Global},
		{rootRegistry, e.L.G.Registry},
		{rootMain, cfg.Main},
	}
	if cfg.Arg != nil {
		roots = append(roots, struct {
			kind int
			v    lua.LValue
		}{rootArg, cfg.Arg})
	}
	for _, r := range roots {
		if err := e.visit(r.v, step{from: ref{id: r.kind}, kind: stepRoot}); err != nil {
			return err
		}
	}
	for _, sample := range typeSamples(e.L) {
		mt := e.L.GetMetatable(sample)
		if err := e.visit(mt, step{from: ref{id: rootMetatable}, kind: stepRoot, name: sample.Type().String()}); err != nil {
			return err
		}
	}
	for len(e.queue) > 0 {
		r := e.queue[0]
		e.queue = e.queue[1:]
		if err := e.expand(r); err != nil {
			return err
		}
	}
	return nil
}

// visit records v, if it is an object not seen before, and queues its
// contents. Values that cannot be carried are refused here.
func (e *encoder) visit(v lua.LValue, via step) error {
	switch x := v.(type) {
	case *lua.LNilType, lua.LBool, lua.LNumber, lua.LString:
		return nil
	case nil:
		// An upvalue still open on a register of a call that has ended:
		// gopher-lua closes those when the call ends, so this is a bug.
		// Refuse, rather than crash or carry garbage.
		return e.refuse(via, "local of a finished call", "this is a luapf bug (an upvalue left open); please report it with the script")
	case *lua.LTable:
		if id, isNew := e.tables.add(x, via); isNew {
			e.queue = append(e.queue, ref{tagTable, id})
		}
		return nil
	case *lua.LFunction:
		if e.funcs.has(x) {
			return nil
		}
		if x.IsG {
			if _, ok := e.builtins.pathOf(x); !ok {
				return e.refuse(via, "Go function", "a Go function made while the script ran (an iterator from string.gmatch, a coroutine.wrap function, a closure from a Go module) cannot be carried; make it after initialisation_complete")
			}
		}
		id, _ := e.funcs.add(x, via)
		e.queue = append(e.queue, ref{tagFunction, id})
		return nil
	case *lua.LUserData:
		if e.udata.has(x) {
			return nil
		}
		kind := kindBuiltin
		if _, ok := e.builtins.pathOf(x); !ok {
			switch e.fileState(x) {
			case "closed file":
				kind = kindClosedFile
			case "file":
				return e.refuse(via, "open file", "open it after initialisation_complete, or close it before")
			default:
				return e.refuse(via, "userdata", "create it after initialisation_complete")
			}
		}
		id, _ := e.udata.add(x, via)
		e.udKind = append(e.udKind, kind)
		if kind == kindBuiltin {
			e.queue = append(e.queue, ref{tagUserData, id})
		}
		return nil
	case *lua.LState:
		return e.refuse(via, "coroutine", "create the coroutine after initialisation_complete")
	case lua.LChannel:
		return e.refuse(via, "channel", "create the channel after initialisation_complete")
	default:
		return e.refuse(via, v.Type().String(), "create it after initialisation_complete")
	}
}

// fileState returns what io.type says of ud: "file", "closed file", or ""
// for a userdata that is not a file.
func (e *encoder) fileState(ud *lua.LUserData) string {
	iotype, ok := e.builtins.ioType.(*lua.LFunction)
	if !ok {
		return ""
	}
	if err := e.L.CallByParam(lua.P{Fn: iotype, NRet: 1, Protect: true}, ud); err != nil {
		return ""
	}
	res := e.L.Get(-1)
	e.L.Pop(1)
	if s, ok := res.(lua.LString); ok {
		return string(s)
	}
	return ""
}

// expand visits the contents of one recorded object.
func (e *encoder) expand(r ref) error {
	switch r.tag {
	case tagTable:
		t := e.tables.list[r.id]
		if err := e.visit(t.Metatable, step{from: r, kind: stepMetatable}); err != nil {
			return err
		}
		for i, n := 1, tableArrayLen(t); i <= n; i++ {
			if err := e.visit(t.RawGetInt(i), step{from: r, kind: stepField, key: lua.LNumber(i)}); err != nil {
				return err
			}
		}
		ents := hashEntries(t)
		if _, builtin := e.builtins.pathOf(t); builtin {
			// A library table's key order comes from Go map iteration
			// when it was filled, so it differs between processes anyway;
			// sorting makes the snapshot itself deterministic.
			sortEntries(ents)
		}
		for len(e.entries) <= r.id {
			e.entries = append(e.entries, nil)
		}
		e.entries[r.id] = ents
		for _, en := range ents {
			if !en.live {
				continue
			}
			if err := e.visit(en.key, step{from: r, kind: stepKeyOf, key: en.key}); err != nil {
				return err
			}
			if err := e.visit(en.value, step{from: r, kind: stepField, key: en.key}); err != nil {
				return err
			}
		}
	case tagFunction:
		fn := e.funcs.list[r.id]
		if fn.IsG {
			// A builtin: the executor has its own, but its upvalues (io's
			// default files, for one) may hold state the script changed.
			for i, uv := range fn.Upvalues {
				if err := e.visit(uv.Value(), step{from: r, kind: stepUpvalue, n: i + 1}); err != nil {
					return err
				}
			}
			return nil
		}
		e.addProto(fn.Proto)
		if fn.Env != nil {
			if err := e.visit(fn.Env, step{from: r, kind: stepEnv}); err != nil {
				return err
			}
		}
		for i, uv := range fn.Upvalues {
			if _, seen := e.cellIDs[uv]; seen {
				continue
			}
			e.cellIDs[uv] = len(e.cells)
			e.cells = append(e.cells, uv)
			e.cellOpenReg = append(e.cellOpenReg, e.openMainRegister(uv))
			name := ""
			if i < len(fn.Proto.DbgUpvalues) {
				name = fn.Proto.DbgUpvalues[i]
			}
			if err := e.visit(uv.Value(), step{from: r, kind: stepUpvalue, name: name, n: i + 1}); err != nil {
				return err
			}
		}
	case tagUserData:
		ud := e.udata.list[r.id]
		if err := e.visit(ud.Metatable, step{from: r, kind: stepMetatable}); err != nil {
			return err
		}
		if ud.Env != nil {
			return e.visit(ud.Env, step{from: r, kind: stepEnv})
		}
	}
	return nil
}

// openMainRegister returns the main-chunk register an upvalue still aliases,
// or -1 when it holds its own value. Only the main chunk and the Go function
// that called Capture are on the stack, so an open upvalue on the main
// thread's registers is one of the chunk's locals; one left open on a
// suspended coroutine's stack is frozen as a value (nothing can run that
// coroutine again, as it could not be carried).
func (e *encoder) openMainRegister(uv *lua.Upvalue) int {
	if uv.IsClosed() {
		return -1
	}
	reg, index := openUpvalueSlot(uv)
	r := index - e.rp.localBase
	if reg != e.mainReg || r < 0 || r >= len(e.rp.locals) {
		return -1
	}
	return r
}

// addProto records p and, first, its nested prototypes, so that a decoder
// meets every child before its parent.
func (e *encoder) addProto(p *lua.FunctionProto) {
	if _, seen := e.protoIDs[p]; seen {
		return
	}
	e.protoIDs[p] = -1 // in progress; prototypes form a tree, so no cycles
	for _, child := range p.FunctionPrototypes {
		e.addProto(child)
	}
	e.protoIDs[p] = len(e.protos)
	e.protos = append(e.protos, p)
}

// entry is one slot of a table's hash-part key order.
type entry struct {
	key   lua.LValue // nil for a deleted key that was not a scalar
	value lua.LValue
	live  bool
	ptr   uintptr // identity of a deleted non-scalar key
}

// hashEntries lists the hash part of t in gopher-lua's key order, deleted
// keys included: pairs() visits keys in that order and a deleted key keeps
// its place if it is set again, so restore rebuilds the list exactly.
func hashEntries(t *lua.LTable) []entry {
	n := tableKeyCount(t)
	if n == 0 {
		return nil
	}
	ents := make([]entry, 0, n)
	var liveObjectKeys map[uintptr]lua.LValue
	for i := 0; i < n; i++ {
		k, ptr, scalar := scalarKeyAt(t, i)
		if !scalar {
			if liveObjectKeys == nil {
				liveObjectKeys = map[uintptr]lua.LValue{}
				t.ForEach(func(k, _ lua.LValue) {
					if p := pointerOf(k); p != 0 {
						liveObjectKeys[p] = k
					}
				})
			}
			var live bool
			if k, live = liveObjectKeys[ptr]; !live {
				ents = append(ents, entry{ptr: ptr})
				continue
			}
		}
		v := t.RawGetH(k)
		ents = append(ents, entry{key: k, value: v, live: v != lua.LNil})
	}
	return ents
}

// sortEntries orders entries by key: strings, then numbers, then booleans,
// each by value; other keys keep their relative order at the end.
func sortEntries(ents []entry) {
	rank := func(k lua.LValue) int {
		switch k.(type) {
		case lua.LString:
			return 0
		case lua.LNumber:
			return 1
		case lua.LBool:
			return 2
		}
		return 3
	}
	sort.SliceStable(ents, func(i, j int) bool {
		a, b := ents[i].key, ents[j].key
		ra, rb := rank(a), rank(b)
		if ra != rb || ra == 3 {
			return ra < rb
		}
		switch x := a.(type) {
		case lua.LString:
			return x < b.(lua.LString)
		case lua.LNumber:
			return x < b.(lua.LNumber)
		case lua.LBool:
			return !bool(x) && bool(b.(lua.LBool))
		}
		return false
	})
}
