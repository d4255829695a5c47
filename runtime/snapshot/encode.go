package snapshot

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// objectID maps a reference-typed value to its tag and index. Every such
// value written was visited first, so a miss is a bug; it is reported.
func (e *encoder) objectID(bug *error) func(lua.LValue) (byte, int) {
	return func(v lua.LValue) (byte, int) {
		switch x := v.(type) {
		case *lua.LTable:
			if id, ok := e.tables.ids[x]; ok {
				return tagTable, id
			}
		case *lua.LFunction:
			if id, ok := e.funcs.ids[x]; ok {
				return tagFunction, id
			}
		case *lua.LUserData:
			if id, ok := e.udata.ids[x]; ok {
				return tagUserData, id
			}
		}
		if *bug == nil {
			*bug = fmt.Errorf("capture: internal error: unvisited %s value", v.Type())
		}
		return tagNil, 0
	}
}

// encode writes the snapshot; see format.go for the layout.
func (e *encoder) encode(cfg CaptureConfig, rp resumePoint) ([]byte, error) {
	var bug error
	ids := e.objectID(&bug)
	w := &writer{buf: make([]byte, 0, 1<<16)}
	w.buf = append(w.buf, magic...)
	w.uint(formatVersion)
	w.string(layoutFingerprint())

	w.count(len(e.protos))
	for _, p := range e.protos {
		e.writeProto(w, p)
	}

	w.count(len(e.tables.list))
	for id, t := range e.tables.list {
		if path, ok := e.builtins.pathOf(t); ok {
			w.byte(kindBuiltin)
			w.string(path)
			continue
		}
		w.byte(kindNew)
		w.count(tableArrayLen(t))
		w.count(e.entriesOf(id))
	}
	w.count(len(e.cells))
	w.count(len(e.udata.list))
	for id, ud := range e.udata.list {
		w.byte(e.udKind[id])
		if e.udKind[id] == kindBuiltin {
			path, _ := e.builtins.pathOf(ud)
			w.string(path)
		}
	}
	w.count(len(e.funcs.list))
	for _, fn := range e.funcs.list {
		if fn.IsG {
			path, _ := e.builtins.pathOf(fn)
			w.byte(kindBuiltin)
			w.string(path)
			continue
		}
		w.byte(kindNew)
		w.ref(e.protoIDs[fn.Proto])
		if fn.Env != nil {
			w.value(fn.Env, ids)
		} else {
			w.value(lua.LNil, ids)
		}
		w.count(len(fn.Upvalues))
		for _, uv := range fn.Upvalues {
			w.ref(e.cellIDs[uv])
		}
	}

	for i, uv := range e.cells {
		if r := e.cellOpenReg[i]; r >= 0 {
			w.byte(cellOpenMain)
			w.count(r)
			continue
		}
		w.byte(cellClosed)
		w.value(uv.Value(), ids)
	}

	for id, t := range e.tables.list {
		w.value(t.Metatable, ids)
		n := tableArrayLen(t)
		w.count(n)
		for i := 1; i <= n; i++ {
			w.value(t.RawGetInt(i), ids)
		}
		ents := e.entries[id]
		w.count(e.entriesOf(id))
		for _, en := range ents {
			switch {
			case en.live:
				w.byte(1)
				w.value(en.key, ids)
				w.value(en.value, ids)
			case en.key != nil:
				w.byte(0)
				w.value(en.key, ids)
			default:
				if k, ok := e.deletedObjectKey(en.ptr); ok {
					w.byte(0)
					w.value(k, ids)
				}
			}
		}
	}

	samples := typeSamples(e.L)
	w.count(len(samples))
	for _, s := range samples {
		w.value(e.L.GetMetatable(s), ids)
	}
	w.value(cfg.Main, ids)
	w.count(rp.pc)
	w.int(rp.line)
	w.count(len(rp.locals))
	for _, v := range rp.locals {
		w.value(v, ids)
	}
	if cfg.Arg != nil {
		w.value(cfg.Arg, ids)
	} else {
		w.value(lua.LNil, ids)
	}
	if bug != nil {
		return nil, bug
	}
	return w.buf, nil
}

// entriesOf counts the hash-part entries of table id that will be written:
// deleted keys that were objects nobody can reach any more are dropped, as
// nothing can set them again.
func (e *encoder) entriesOf(id int) int {
	n := 0
	for _, en := range e.entries[id] {
		if en.live || en.key != nil {
			n++
		} else if _, ok := e.deletedObjectKey(en.ptr); ok {
			n++
		}
	}
	return n
}

// deletedObjectKey resolves the identity of a deleted object key to the
// object, when the snapshot holds it. The map of every recorded object is
// built on first use: deleted object keys are rare.
func (e *encoder) deletedObjectKey(ptr uintptr) (lua.LValue, bool) {
	if e.byPointer == nil {
		e.byPointer = make(map[uintptr]lua.LValue, len(e.tables.list)+len(e.funcs.list)+len(e.udata.list))
		for _, t := range e.tables.list {
			e.byPointer[pointerOf(t)] = t
		}
		for _, f := range e.funcs.list {
			e.byPointer[pointerOf(f)] = f
		}
		for _, u := range e.udata.list {
			e.byPointer[pointerOf(u)] = u
		}
	}
	v, ok := e.byPointer[ptr]
	return v, ok
}
