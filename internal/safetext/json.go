package safetext

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// JSON makes a JSON document safe to print or to cat: every character
// [Line] would escape is written as a JSON \u escape instead, which keeps
// the document's meaning (json.Marshal and json.Indent leave C1, bidi and
// other invisible characters raw). Such characters can only stand inside
// strings, since JSON's own syntax is ASCII; the document's line breaks
// and indentation are kept.
func JSON(doc string) string {
	if Clean(strings.ReplaceAll(doc, "\n", "")) {
		return doc
	}
	var b strings.Builder
	for _, r := range doc {
		switch {
		case r == '\n' || !unsafe(r):
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}
