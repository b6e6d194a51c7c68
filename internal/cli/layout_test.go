package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayout keeps the rules of design.md's layout that the compiler does
// not: only internal/session takes the store's lock, and the simulator is
// written from the protocol, never from the client.
func TestLayout(t *testing.T) {
	rules := []struct {
		dir, forbidden, why string
	}{
		{".", `"github.com/sfecho/sfecho/internal/store".Lock`, "cli never takes the store's lock: internal/session does"},
		{"../sim", `"github.com/sfecho/sfecho/internal/flow"`, "the simulator never imports the client"},
		{"../flow", `"github.com/sfecho/sfecho/internal/store"`, "flow knows nothing of saved sessions"},
	}
	for _, r := range rules {
		files, _ := filepath.Glob(filepath.Join(r.dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			pkg, member, _ := strings.Cut(r.forbidden, ".")
			for _, imp := range af.Imports {
				if imp.Path.Value != pkg {
					continue
				}
				if member == "" {
					t.Errorf("%s imports %s: %s", f, pkg, r.why)
					continue
				}
				if src, _ := os.ReadFile(f); strings.Contains(string(src), "store."+member+"(") {
					t.Errorf("%s calls store.%s: %s", f, member, r.why)
				}
			}
		}
	}
}
