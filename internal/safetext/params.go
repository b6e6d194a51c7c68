package safetext

import (
	"net/url"
	"regexp"
	"strings"
)

// paramRE finds name=value pairs in free text: a URL's query quoted in an
// error, a form body, a header. The value runs to the next separator of
// a query or of the text around it. A backslash does not end it, so a
// value quoted with %q (its escapes included) is masked whole.
var paramRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.%-])([A-Za-z0-9_.%-]+)=([^&#;\s"'<>]*)`)

// MaskParams replaces the value of every name=value pair in text whose name
// (percent-decoded) secret reports as secret, such as the code in a
// Location that Go's HTTP client quotes in its error. It is for text whose
// secrets sfecho cannot know in advance; [Secrets.Mask] is for the others.
func MaskParams(text string, secret func(name string) bool) string {
	if secret == nil || !strings.Contains(text, "=") {
		return text
	}
	idx := paramRE.FindAllStringSubmatchIndex(text, -1)
	if idx == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		name := text[m[2]:m[3]]
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if !secret(name) || m[4] == m[5] {
			continue
		}
		b.WriteString(text[last:m[4]])
		b.WriteString(Mask)
		last = m[5]
	}
	b.WriteString(text[last:])
	return b.String()
}

// MaskKeys returns a copy of v, a decoded JSON value, in which the value of
// every object key secret reports as secret is [Mask], at any depth. v
// itself is not changed.
func MaskKeys(v any, secret func(key string) bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if secret != nil && secret(k) {
				out[k] = Mask
			} else {
				out[k] = MaskKeys(val, secret)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = MaskKeys(x[i], secret)
		}
		return out
	}
	return v
}
