package host

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"
)

// TestGuide: go doc of this package reads as a complete guide: the
// package comment covers writing, building and running a program, what a
// loader must do, what crosses initialisation_complete and which server a
// call reaches, and every exported name and field has its doc comment.
func TestGuide(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	p := doc.New(pkgs["host"], "luapf/runtime/host", 0)
	for _, heading := range []string{"# Writing the program", "# Building and running it", "# What a loader must do",
		"# What crosses initialisation_complete", "# Servers", "# Processes"} {
		if !strings.Contains(p.Doc, heading+"\n") {
			t.Errorf("the package comment has no section %q", heading)
		}
	}
	undocumented := func(what, doc string) {
		if strings.TrimSpace(doc) == "" {
			t.Errorf("%s has no doc comment", what)
		}
	}
	for _, f := range p.Funcs {
		undocumented(f.Name, f.Doc)
	}
	for _, v := range append(p.Consts, p.Vars...) {
		undocumented(strings.Join(v.Names, ", "), v.Doc)
	}
	for _, typ := range p.Types {
		undocumented(typ.Name, typ.Doc)
		for _, m := range typ.Methods {
			undocumented(typ.Name+"."+m.Name, m.Doc)
		}
		for _, f := range typ.Funcs {
			undocumented(f.Name, f.Doc)
		}
		for _, spec := range typ.Decl.Specs {
			st, ok := spec.(*ast.TypeSpec).Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, field := range st.Fields.List {
				for _, name := range field.Names {
					if name.IsExported() {
						undocumented(typ.Name+"."+name.Name, field.Doc.Text())
					}
				}
			}
		}
	}
}
