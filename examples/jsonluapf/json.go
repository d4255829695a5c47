package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// The json module, on encoding/json:
//
//	json.encode(value [, {indent = "  "}]) -> text
//	json.decode(text) -> value, or nil and a message
//	json.encoder({indent = "  "}) -> function(value) -> text
//	json.null, json.array, json.object
//
// JSON null is json.null; decoded arrays and objects are tables with the
// metatable json.array or json.object, which encode gives back as they
// were (an empty array stays []). An unmarked table is an array when its
// keys are exactly 1..n, else an object, whose keys (strings, or numbers
// written as strings) encode sorted; the empty unmarked table is {}.
// Objects keep their keys in document order when decoded.
//
// What the loader makes (the table, its functions, json.null, the two
// metatables) crosses initialisation_complete by path: a script may keep
// json.encode in a table of its own, or decoded data marked with
// json.array, and every call finds them. A function json.encoder makes
// while the script runs is a Go function of the script's, not the
// module's: kept across initialisation_complete it is refused.

// maxDepth bounds how deeply encode and decode nest tables, so that a
// cyclic or absurdly deep value fails with a message, not a stack
// overflow.
const maxDepth = 1000

// loadJSON is the json module's loader (host.Program.Modules).
func loadJSON(L *lua.LState) int {
	null := L.NewUserData()
	nullMeta := L.NewTable()
	nullMeta.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	null.Metatable = nullMeta
	c := &codec{null: null, array: L.NewTable(), object: L.NewTable()}
	mod := L.NewTable()
	L.SetFuncs(mod, map[string]lua.LGFunction{
		"encode":  c.encode,
		"decode":  c.decode,
		"encoder": c.encoder,
	})
	mod.RawSetString("null", c.null)
	mod.RawSetString("array", c.array)
	mod.RawSetString("object", c.object)
	L.Push(mod)
	return 1
}

// codec holds what the module's functions share: the values that mark
// null, arrays and objects. They are the loader's, made once per
// interpreter.
type codec struct {
	null          *lua.LUserData
	array, object *lua.LTable
}

// encode is json.encode(value [, options]).
func (c *codec) encode(L *lua.LState) int {
	indent := indentOption(L, 2)
	L.Push(lua.LString(c.encodeValue(L, L.CheckAny(1), indent)))
	return 1
}

// encoder is json.encoder(options): a function that encodes with them.
func (c *codec) encoder(L *lua.LState) int {
	indent := indentOption(L, 1)
	L.Push(L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(c.encodeValue(L, L.CheckAny(1), indent)))
		return 1
	}))
	return 1
}

// indentOption returns the indent field of the options table at argument
// n, if any.
func indentOption(L *lua.LState, n int) string {
	opts := L.OptTable(n, nil)
	if opts == nil {
		return ""
	}
	switch v := opts.RawGetString("indent").(type) {
	case *lua.LNilType:
		return ""
	case lua.LString:
		return string(v)
	default:
		L.ArgError(n, "indent must be a string, not a "+v.Type().String())
		return ""
	}
}

// encodeValue returns v as JSON text, raising a Lua error naming what
// cannot be encoded.
func (c *codec) encodeValue(L *lua.LState, v lua.LValue, indent string) string {
	goValue, err := c.toGo(v, map[*lua.LTable]bool{}, 0)
	if err != nil {
		L.RaiseError("json.encode: %v", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(goValue); err != nil {
		L.RaiseError("json.encode: %v", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// toGo converts a Lua value to what encoding/json encodes the same way.
// inside holds the tables being converted, to refuse cycles.
func (c *codec) toGo(v lua.LValue, inside map[*lua.LTable]bool, depth int) (any, error) {
	switch x := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(x), nil
	case lua.LNumber:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("cannot encode the number %v: JSON has no NaN or infinity", x)
		}
		return f, nil
	case lua.LString:
		return string(x), nil
	case *lua.LUserData:
		if x == c.null {
			return nil, nil
		}
	case *lua.LTable:
		if inside[x] {
			return nil, errors.New("cannot encode a table that contains itself")
		}
		if depth >= maxDepth {
			return nil, fmt.Errorf("cannot encode tables nested more than %d deep", maxDepth)
		}
		inside[x] = true
		defer delete(inside, x)
		if c.isArray(x) {
			out := make([]any, x.Len())
			for i := range out {
				e, err := c.toGo(x.RawGetInt(i+1), inside, depth+1)
				if err != nil {
					return nil, err
				}
				out[i] = e
			}
			return out, nil
		}
		out := map[string]any{}
		var err error
		x.ForEach(func(k, e lua.LValue) {
			if err != nil {
				return
			}
			var key string
			switch k := k.(type) {
			case lua.LString:
				key = string(k)
			case lua.LNumber:
				key = k.String()
			default:
				err = fmt.Errorf("cannot encode a table key of type %s: JSON object keys are strings", k.Type())
				return
			}
			out[key], err = c.toGo(e, inside, depth+1)
		})
		return out, err
	}
	return nil, fmt.Errorf("cannot encode a %s", v.Type())
}

// isArray reports whether t encodes as a JSON array: marked json.array,
// or unmarked with keys exactly 1..n, n > 0.
func (c *codec) isArray(t *lua.LTable) bool {
	switch t.Metatable {
	case c.array:
		return true
	case c.object:
		return false
	}
	n := t.Len()
	if n == 0 {
		return false
	}
	keys := 0
	t.ForEach(func(lua.LValue, lua.LValue) { keys++ })
	return keys == n
}

// decode is json.decode(text): the value, or nil and a message.
func (c *codec) decode(L *lua.LState) int {
	text := L.CheckString(1)
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	v, err := c.fromJSON(L, dec, 0)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("the text holds more than one value")
		}
	}
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		err = fmt.Errorf("%w at byte offset %d", err, syntax.Offset)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		err = errors.New("the text ends inside an array or object")
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("json.decode: " + err.Error()))
		return 2
	}
	L.Push(v)
	return 1
}

// fromJSON reads one value from dec as a Lua value.
func (c *codec) fromJSON(L *lua.LState, dec *json.Decoder, depth int) (lua.LValue, error) {
	tok, err := dec.Token()
	if err == io.EOF && depth == 0 {
		return nil, errors.New("the text holds no value")
	}
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return c.null, nil
	case bool:
		return lua.LBool(t), nil
	case string:
		return lua.LString(t), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, fmt.Errorf("number %s is out of range", t)
		}
		return lua.LNumber(f), nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, fmt.Errorf("arrays and objects nested more than %d deep", maxDepth)
		}
		tbl := L.NewTable()
		if t == '[' {
			tbl.Metatable = c.array
			for i := 1; dec.More(); i++ {
				e, err := c.fromJSON(L, dec, depth+1)
				if err != nil {
					return nil, err
				}
				tbl.RawSetInt(i, e)
			}
		} else {
			tbl.Metatable = c.object
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				e, err := c.fromJSON(L, dec, depth+1)
				if err != nil {
					return nil, err
				}
				tbl.RawSetString(k.(string), e)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing ] or }
			return nil, err
		}
		return tbl, nil
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}
