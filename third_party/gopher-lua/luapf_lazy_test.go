package lua

// luapf: tests of lazy tables (lazy.go, PATCHES.md).

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestLazyGuard fails when a storage field of LTable is used anywhere but
// after the lazy check at the top of an LTable method. It renames every
// storage field (every field of LTable but Metatable and lazy) in a
// compile-only overlay of value.go and builds the package: the compiler
// then lists every use, and each must lie in an LTable method of table.go
// or lazy.go whose first statement is
//
//	if tb.lazy != nil { ...; tb.load() }   (or ending in a return)
//
// and after that statement, or in one of the functions that may touch the
// storage of a table that is not lazy (guardExempt).
func TestLazyGuard(t *testing.T) {
	goTool := findGoTool(t)
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	fields, renamed := renameStorageFields(t, filepath.Join(dir, "value.go"))
	tmp := t.TempDir()
	overlaid := filepath.Join(tmp, "value.go")
	if err := os.WriteFile(overlaid, renamed, 0o600); err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(dir, "value.go"): overlaid}})
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "build", "-gcflags=-e", "-overlay="+overlayFile, "-o", os.DevNull, ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the package builds with LTable's storage fields %v renamed: the guard would see nothing", fields)
	}
	uses := parseFieldErrors(t, string(out), fields)
	if len(uses) < 20 {
		t.Fatalf("only %d uses of the storage fields found; the compiler said:\n%s", len(uses), out)
	}
	files := map[string]*ast.File{}
	fset := token.NewFileSet()
	for _, u := range uses {
		f := files[u.file]
		if f == nil {
			if f, err = parser.ParseFile(fset, filepath.Join(dir, u.file), nil, 0); err != nil {
				t.Fatal(err)
			}
			files[u.file] = f
		}
		if msg := checkGuardedUse(fset, f, u); msg != "" {
			t.Errorf("%s:%d: LTable.%s %s", u.file, u.line, u.field, msg)
		}
	}
}

// guardExempt are the functions that may use the storage fields without
// the lazy check: newLTable makes a table that is not lazy, SetLazy drops
// the contents of the table it makes lazy.
var guardExempt = map[string]bool{"newLTable": true, "SetLazy": true}

// fieldUse is one use of a storage field, as the compiler reported it.
type fieldUse struct {
	file  string
	line  int
	field string
}

// findGoTool returns the go command that runs this test.
func findGoTool(t *testing.T) string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the go command is needed to check LTable's guard and is neither on PATH nor in %s", p)
	}
	return p
}

// renameStorageFields returns LTable's storage fields and value.go with
// each of them renamed.
func renameStorageFields(t *testing.T, path string) ([]string, []byte) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "LTable" {
			return true
		}
		for _, fl := range ts.Type.(*ast.StructType).Fields.List {
			for _, name := range fl.Names {
				if name.Name != "Metatable" && name.Name != "lazy" {
					fields = append(fields, name.Name)
					name.Name += "_luapfGuard"
				}
			}
		}
		return false
	})
	if len(fields) == 0 {
		t.Fatal("no storage fields found in LTable")
	}
	var b strings.Builder
	if err := format.Node(&b, fset, f); err != nil {
		t.Fatal(err)
	}
	return fields, []byte(b.String())
}

var (
	compileError = regexp.MustCompile(`^(?:\./)?([^:\s]+\.go):(\d+):\d+: (.*)$`)
	fieldInError = regexp.MustCompile(`has no field or method (\w+)\b|unknown field (\w+) in struct literal`)
)

// parseFieldErrors reads the compiler's errors: each must be the use of a
// renamed field; anything else means the check itself is broken.
func parseFieldErrors(t *testing.T, out string, fields []string) []fieldUse {
	var uses []fieldUse
	for _, line := range strings.Split(out, "\n") {
		m := compileError.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		field := ""
		if f := fieldInError.FindStringSubmatch(m[3]); f != nil {
			for _, name := range fields {
				if f[1] == name || f[2] == name {
					field = name
				}
			}
		}
		if field == "" {
			t.Fatalf("unexpected compiler error in the guard check: %s\nall output:\n%s", line, out)
		}
		n, _ := strconv.Atoi(m[2])
		uses = append(uses, fieldUse{file: m[1], line: n, field: field})
	}
	return uses
}

// checkGuardedUse returns why the use u is not guarded, or "".
func checkGuardedUse(fset *token.FileSet, f *ast.File, u fieldUse) string {
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || fset.Position(fn.Pos()).Line > u.line || fset.Position(fn.End()).Line < u.line {
			continue
		}
		if guardExempt[fn.Name.Name] {
			return ""
		}
		recv := ltableReceiver(fn)
		if recv == "" || (u.file != "table.go" && u.file != "lazy.go") {
			return "is used in " + fn.Name.Name + ", which is not a method of LTable in table.go or lazy.go"
		}
		guard, ok := leadingGuard(fn, recv)
		if !ok {
			return "is used in " + fn.Name.Name + ", which does not begin with `if " + recv + ".lazy != nil { ... " + recv + ".load() }`"
		}
		if fset.Position(guard.End()).Line >= u.line {
			return "is used in " + fn.Name.Name + " before or inside its lazy check"
		}
		return ""
	}
	return "is used outside any function"
}

// ltableReceiver returns the name of fn's receiver when it is a *LTable.
func ltableReceiver(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) != 1 || len(fn.Recv.List[0].Names) != 1 {
		return ""
	}
	star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
	if id, isID := star.X.(*ast.Ident); !ok || !isID || id.Name != "LTable" {
		return ""
	}
	return fn.Recv.List[0].Names[0].Name
}

// leadingGuard returns fn's first statement when it is the lazy check:
// `if recv.lazy != nil { ... }` whose body ends by loading the table or
// returning, so that no path leaves it with the table still lazy.
func leadingGuard(fn *ast.FuncDecl, recv string) (*ast.IfStmt, bool) {
	if len(fn.Body.List) == 0 {
		return nil, false
	}
	st, ok := fn.Body.List[0].(*ast.IfStmt)
	if !ok || st.Init != nil || st.Else != nil || !isLazyCheck(st.Cond, recv) || len(st.Body.List) == 0 {
		return nil, false
	}
	switch last := st.Body.List[len(st.Body.List)-1].(type) {
	case *ast.ReturnStmt:
		return st, true
	case *ast.ExprStmt:
		if call, ok := last.X.(*ast.CallExpr); ok && len(call.Args) == 0 {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "load" && isIdent(sel.X, recv) {
				return st, true
			}
		}
	}
	return nil, false
}

func isLazyCheck(cond ast.Expr, recv string) bool {
	be, ok := cond.(*ast.BinaryExpr)
	if !ok || be.Op != token.NEQ || !isIdent(be.Y, "nil") {
		return false
	}
	sel, ok := be.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "lazy" && isIdent(sel.X, recv)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// testLoader loads lazy test tables by running the same fill function that
// built their eager twins.
type testLoader struct {
	fills   map[uint32]func(*LTable)
	arrays  map[uint32][]LValue
	strs    map[uint32]map[string]LValue // nil for a table it cannot index
	loads   int
	answers int
}

func (l *testLoader) LoadTable(tb *LTable, id uint32) {
	l.loads++
	var probe LTable
	probe.Metatable = LNil
	l.fills[id](&probe)
	others := 0
	if probe.dict != nil {
		others = len(probe.dict)
	}
	tb.Preallocate(len(probe.array), len(probe.strdict), others)
	l.fills[id](tb)
}

func (l *testLoader) ArrayElement(id uint32, i int) LValue {
	l.answers++
	return l.arrays[id][i]
}

func (l *testLoader) StringField(id uint32, key string) (LValue, bool) {
	m := l.strs[id]
	if m == nil {
		return nil, false
	}
	l.answers++
	if v, ok := m[key]; ok {
		return v, true
	}
	return LNil, true
}

// lazyTwin builds an eager table with fill and a lazy table whose loader
// runs fill; indexed says whether the loader answers string keys.
func (l *testLoader) lazyTwin(id uint32, fill func(*LTable), indexed bool) (eager, lazy *LTable) {
	eager = newLTable(0, 0)
	fill(eager)
	l.fills[id] = fill
	l.arrays[id] = append([]LValue(nil), eager.array...)
	if indexed {
		l.strs[id] = map[string]LValue{}
		for k, v := range eager.strdict {
			l.strs[id][k] = v
		}
	}
	lazy = &LTable{}
	lazy.SetLazy(LNil, LazyContents{Loader: l, ID: id, ArrayLen: len(eager.array), Len: eager.Len()})
	return eager, lazy
}

func newTestLoader() *testLoader {
	return &testLoader{fills: map[uint32]func(*LTable){}, arrays: map[uint32][]LValue{}, strs: map[uint32]map[string]LValue{}}
}

// lazyShapes are the table shapes every method is tried on.
var lazyShapes = map[string]func(*LTable){
	"empty": func(*LTable) {},
	"array with holes and a trailing nil": func(tb *LTable) {
		for i := 1; i <= 9; i++ {
			if i%3 != 0 {
				tb.RawSetInt(i, LNumber(i*10))
			} else {
				tb.RawSetInt(i, LNil)
			}
		}
	},
	"hash with deleted and re-inserted keys": func(tb *LTable) {
		for _, k := range []string{"a", "b", "c", "d"} {
			tb.RawSetString(k, LString(k+k))
		}
		tb.RawSetString("b", LNil)
		tb.RawSetH(LNumber(2.5), LTrue)
		tb.RawSetH(LFalse, LString("f"))
		tb.RawSetString("b", LString("again"))
		tb.RawSetString("c", LNil)
		tb.RawSetH(LNumber(0), LString("zero"))
	},
	"mixed": func(tb *LTable) {
		tb.RawSetInt(1, LString("one"))
		tb.RawSetInt(2, LString("two"))
		tb.RawSetString("x", LNumber(1))
		tb.RawSetH(LNumber(-1), LString("minus"))
		tb.RawSetInt(4, LString("four"))
	},
}

// dumpTable describes everything of tb that any method can observe: the
// array part, the key order with deleted keys, and every value.
func dumpTable(tb *LTable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "array %d:", len(tb.array))
	for _, v := range tb.array {
		fmt.Fprintf(&b, " %s", describeValue(v))
	}
	b.WriteString(" | keys:")
	for _, k := range tb.keys {
		fmt.Fprintf(&b, " %s=%s", describeValue(k), describeValue(tb.RawGetH(k)))
	}
	return b.String()
}

func describeValue(v LValue) string {
	if v == nil {
		return "<nil interface>"
	}
	if s, ok := v.(LString); ok {
		return strconv.Quote(string(s))
	}
	return v.Type().String() + ":" + v.String()
}

// Whether a method leaves a lazy table lazy.
const (
	loads         = iota // it loads the table
	answers              // it answers without loading
	answersString        // it answers without loading when the loader indexes string keys
)

// lazyMethodCases exercise each method of *LTable; each returns what the
// call returned.
var lazyMethodCases = map[string]struct {
	lazy int
	call func(tb *LTable) string
}{
	"Len":  {answers, func(tb *LTable) string { return strconv.Itoa(tb.Len()) }},
	"MaxN": {loads, func(tb *LTable) string { return strconv.Itoa(tb.MaxN()) }},
	"Append": {loads, func(tb *LTable) string {
		tb.Append(LString("appended"))
		return ""
	}},
	"Insert": {loads, func(tb *LTable) string {
		tb.Insert(2, LString("inserted"))
		tb.Insert(20, LString("far"))
		return ""
	}},
	"Remove": {loads, func(tb *LTable) string { return describeValue(tb.Remove(1)) + describeValue(tb.Remove(-1)) }},
	"RawSet": {loads, func(tb *LTable) string {
		tb.RawSet(LNumber(3), LString("three"))
		tb.RawSet(LString("b"), LNil)
		tb.RawSet(LTrue, LNumber(1))
		return ""
	}},
	"RawSetInt": {loads, func(tb *LTable) string {
		tb.RawSetInt(12, LTrue)
		tb.RawSetInt(0, LString("zero again"))
		return ""
	}},
	"RawSetString": {loads, func(tb *LTable) string {
		tb.RawSetString("a", LNil)
		tb.RawSetString("new", LTrue)
		return ""
	}},
	"RawSetH": {loads, func(tb *LTable) string {
		tb.RawSetH(LNumber(2.5), LNil)
		tb.RawSetH(LNumber(7), LString("seven in the hash"))
		return ""
	}},
	"RawGet": {answersString, func(tb *LTable) string {
		var out []string
		for _, k := range []LValue{LNumber(1), LNumber(3), LNumber(9), LNumber(10), LString("a"), LString("b"), LString("zz")} {
			out = append(out, describeValue(tb.RawGet(k)))
		}
		return strings.Join(out, ",")
	}},
	"RawGet other keys": {loads, func(tb *LTable) string {
		return describeValue(tb.RawGet(LNumber(0))) + describeValue(tb.RawGet(LFalse)) + describeValue(tb.RawGet(LNumber(2.5)))
	}},
	"RawGetInt": {answers, func(tb *LTable) string {
		var out []string
		for _, k := range []int{-1, 0, 1, 2, 3, 4, 9, 10, 1 << 30} {
			out = append(out, describeValue(tb.RawGetInt(k)))
		}
		return strings.Join(out, ",")
	}},
	"RawGetH": {answersString, func(tb *LTable) string {
		return describeValue(tb.RawGetH(LString("a"))) + describeValue(tb.RawGetH(LString("zz")))
	}},
	"RawGetH other keys": {loads, func(tb *LTable) string {
		return describeValue(tb.RawGetH(LNumber(0))) + describeValue(tb.RawGetH(LFalse))
	}},
	"RawGetString": {answersString, func(tb *LTable) string {
		return describeValue(tb.RawGetString("b")) + describeValue(tb.RawGetString("x")) + describeValue(tb.RawGetString("nope"))
	}},
	"ForEach": {loads, func(tb *LTable) string {
		var out []string
		tb.ForEach(func(k, v LValue) { out = append(out, describeValue(k)+"="+describeValue(v)) })
		sort.Strings(out) // the hash part's Go map order is random
		return strings.Join(out, ",")
	}},
	"Next": {loads, func(tb *LTable) string {
		var out []string
		for k, v := tb.Next(LNil); k != LNil; k, v = tb.Next(k) {
			out = append(out, describeValue(k)+"="+describeValue(v))
		}
		return strings.Join(out, ",")
	}},
	"String": {answers, func(tb *LTable) string { return strconv.FormatBool(strings.HasPrefix(tb.String(), "table: 0x")) }},
	"Type":   {answers, func(tb *LTable) string { return tb.Type().String() }},
	"IsLazy": {answers, func(tb *LTable) string { return "" }},
	"Load":   {loads, func(tb *LTable) string { tb.Load(); return "" }},
	"Preallocate": {loads, func(tb *LTable) string {
		tb.Preallocate(40, 10, 10)
		tb.RawSetInt(1, LString("after preallocation"))
		return ""
	}},
	"SetLazy": {answers, func(tb *LTable) string {
		// Making a table lazy again replaces its contents: checked in
		// TestLazySetLazyReplaces; here, a no-op on both twins.
		return ""
	}},
}

// TestLazyMethods calls every method of *LTable on lazy tables of every
// shape and on their eager twins: results and final contents must be the
// same, and only the methods that may answer without loading may leave the
// table lazy. A method added to LTable without a case here fails the test.
func TestLazyMethods(t *testing.T) {
	typ := reflect.TypeOf(&LTable{})
	for i := 0; i < typ.NumMethod(); i++ {
		name := typ.Method(i).Name
		if _, ok := lazyMethodCases[name]; !ok {
			t.Errorf("*LTable has method %s, which TestLazyMethods does not call on a lazy table", name)
		}
	}
	for method, c := range lazyMethodCases {
		for shape, fill := range lazyShapes {
			for _, indexed := range []bool{false, true} {
				l := newTestLoader()
				eager, lazy := l.lazyTwin(1, fill, indexed)
				want, got := c.call(eager), c.call(lazy)
				name := fmt.Sprintf("%s on %s (indexed %v)", method, shape, indexed)
				if got != want {
					t.Errorf("%s: lazy returned %q, eager %q", name, got, want)
				}
				wantLazy := c.lazy == answers || (c.lazy == answersString && indexed)
				if lazy.IsLazy() != wantLazy {
					t.Errorf("%s: the table is lazy afterwards: %v, want %v", name, lazy.IsLazy(), wantLazy)
				}
				lazy.Load()
				if l.loads > 1 {
					t.Errorf("%s: loaded %d times", name, l.loads)
				}
				if g, w := dumpTable(lazy), dumpTable(eager); g != w {
					t.Errorf("%s: contents differ afterwards\n lazy:  %s\n eager: %s", name, g, w)
				}
			}
		}
	}
}

// TestLazySetLazyReplaces: SetLazy drops what a table held and sets its
// metatable at once.
func TestLazySetLazyReplaces(t *testing.T) {
	l := newTestLoader()
	_, lazy := l.lazyTwin(1, lazyShapes["mixed"], false)
	tb := newLTable(0, 0)
	tb.RawSetString("old", LTrue)
	tb.RawSetInt(1, LTrue)
	mt := newLTable(0, 0)
	tb.SetLazy(mt, LazyContents{Loader: l, ID: 1, ArrayLen: 4, Len: 4})
	if tb.Metatable != mt || !tb.IsLazy() {
		t.Fatalf("SetLazy did not set the metatable or make the table lazy")
	}
	if tb.RawGetString("old") != LNil || tb.RawGetInt(1) != LString("one") {
		t.Errorf("the old contents survived SetLazy: %s", dumpTable(tb))
	}
	lazy.Load()
	if g, w := dumpTable(tb), dumpTable(lazy); g != w {
		t.Errorf("contents %s, want %s", g, w)
	}
}

// TestLazyInLua runs Lua code over lazy tables: the VM, the base and
// table libraries see what they see on eager ones.
func TestLazyInLua(t *testing.T) {
	script := `
		local out = {}
		local function add(...) local t = {...}; for i = 1, select("#", ...) do out[#out+1] = tostring(t[i]) end end
		add(#arr, arr[1], arr[3], arr[10], rawget(arr, 2), hash.a, hash.b, hash.zz, rawlen and rawlen(arr))
		for i, v in ipairs(arr) do add(i, v) end
		for k, v in pairs(hash) do add(k, v) end
		add(table.concat(list, ","), unpack(list))
		table.sort(list); add(table.concat(list, ","))
		table.insert(list, 1, "first"); table.remove(list); add(table.concat(list, ","), #list, table.maxn(list))
		return table.concat(out, " ")
	`
	run := func(lazy bool) string {
		L := NewState()
		defer L.Close()
		l := newTestLoader()
		shapes := map[string]func(*LTable){
			"arr":  lazyShapes["array with holes and a trailing nil"],
			"hash": lazyShapes["hash with deleted and re-inserted keys"],
			"list": func(tb *LTable) {
				for i, s := range []string{"pear", "apple", "fig"} {
					tb.RawSetInt(i+1, LString(s))
				}
			},
		}
		names := []string{"arr", "hash", "list"}
		for i, name := range names {
			eager, lz := l.lazyTwin(uint32(i), shapes[name], name == "hash")
			if lazy {
				L.SetGlobal(name, lz)
			} else {
				L.SetGlobal(name, eager)
			}
		}
		if err := L.DoString(script); err != nil {
			t.Fatal(err)
		}
		return L.Get(-1).String()
	}
	if got, want := run(true), run(false); got != want {
		t.Errorf("lazy tables give\n%s\neager ones\n%s", got, want)
	}
}

// TestLazyTableSize: the lazy field keeps LTable in the allocation size
// class it had upstream (96 bytes), so eager tables cost no more memory.
func TestLazyTableSize(t *testing.T) {
	if size := unsafe.Sizeof(LTable{}); size > 96 {
		t.Errorf("LTable is %d bytes, more than upstream's 96-byte size class", size)
	}
}

// TestLazyBudget: a table answers Budget reads without loading and loads
// on the next; reads outside the array part and Len cost nothing.
func TestLazyBudget(t *testing.T) {
	l := newTestLoader()
	eager, _ := l.lazyTwin(1, lazyShapes["mixed"], true)
	tb := &LTable{}
	tb.SetLazy(LNil, LazyContents{Loader: l, ID: 1, ArrayLen: len(eager.array), Len: eager.Len(), Budget: 3})
	tb.RawGetInt(1)
	tb.RawGetString("x")
	tb.RawGetInt(99)
	tb.Len()
	tb.RawGet(LNumber(2))
	if !tb.IsLazy() || l.answers != 3 {
		t.Fatalf("after 3 paid reads: lazy %v, %d answers", tb.IsLazy(), l.answers)
	}
	if v := tb.RawGetInt(4); v != LString("four") || tb.IsLazy() {
		t.Errorf("the read past the budget: %v, lazy %v", v, tb.IsLazy())
	}
}
