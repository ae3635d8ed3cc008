// Package compile asks Go's own front end (go/parser and go/types, the
// type checker the go command's compiler shares its rules with) whether a
// small source file compiles, and what it says when it does not.
//
// Imports resolve to empty packages, so a snippet may import anything: what
// is checked is the snippet's own declarations and statements (an unused
// import or variable, a wrong signature, a missing method), not the
// imported package's API.
package compile

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
)

// Result is what the front end said about a snippet.
type Result struct {
	// SyntaxErrors are the parser's errors (the file is not Go).
	SyntaxErrors []string
	// TypeErrors are the type checker's errors.
	TypeErrors []string
}

// Errors is the number of errors of either kind.
func (r Result) Errors() int { return len(r.SyntaxErrors) + len(r.TypeErrors) }

// Says reports whether any error contains s.
func (r Result) Says(s string) bool {
	for _, e := range append(append([]string{}, r.SyntaxErrors...), r.TypeErrors...) {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

// First is the first error, or "compiles".
func (r Result) First() string {
	if len(r.SyntaxErrors) > 0 {
		return r.SyntaxErrors[0]
	}
	if len(r.TypeErrors) > 0 {
		return r.TypeErrors[0]
	}
	return "compiles"
}

type stubImporter struct{}

func (s stubImporter) Import(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	name := path[strings.LastIndex(path, "/")+1:]
	p := types.NewPackage(path, name)
	p.MarkComplete()
	return p, nil
}

// Check parses and type-checks one file (several files with Files).
func Check(name, src string) Result {
	return Files(map[string]string{name: src})
}

// Files parses and type-checks files that form one package.
func Files(files map[string]string) Result {
	fset := token.NewFileSet()
	var r Result
	var parsed []*ast.File
	for name, src := range files {
		f, err := parser.ParseFile(fset, name, src, parser.AllErrors|parser.ParseComments)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					r.SyntaxErrors = append(r.SyntaxErrors, line)
				}
			}
			continue
		}
		parsed = append(parsed, f)
	}
	if len(r.SyntaxErrors) > 0 {
		return r
	}
	pkgNames := map[string]bool{}
	for _, f := range parsed {
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			pkgNames[p[strings.LastIndex(p, "/")+1:]] = true
		}
	}
	conf := types.Config{
		Importer: stubImporter{},
		Error: func(err error) {
			msg := err.Error()
			// A selector on a stub package (fmt.Println) is not the
			// snippet's error: the stub has no members.
			if i := strings.Index(msg, "undefined: "); i >= 0 {
				sel := msg[i+len("undefined: "):]
				if dot := strings.Index(sel, "."); dot > 0 && pkgNames[sel[:dot]] {
					return
				}
			}
			r.TypeErrors = append(r.TypeErrors, msg)
		},
	}
	_, _ = conf.Check("snippet", fset, parsed, nil)
	return r
}
