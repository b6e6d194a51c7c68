package echo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Params is what an echo endpoint returns for a redirect: the first value of
// each parameter, decoded. Salesforce's echo answers with a JSON object whose
// key order differs from the URL's (protocol.md TV14), so order carries no
// meaning; encoding/json writes the keys sorted, which keeps output stable.
type Params map[string]string

// JSON returns p as a compact JSON object with sorted keys and without
// HTML escaping (so "&" in a URL value stays readable). Keys and values are
// valid UTF-8 whenever p came from this package, so the output is valid JSON.
func (p Params) JSON() []byte {
	if p == nil {
		p = Params{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string(p)) // a map[string]string cannot fail to encode
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Where [Result.Source] says the parameters were found.
const (
	SourceQuery    = "query"
	SourceFragment = "fragment"
	SourceBoth     = "query+fragment"
)

// Result is a decoded redirect: its parameters, where they came from, and
// what was odd about the way they were written.
type Result struct {
	// Params holds the first value of each parameter, decoded.
	Params Params
	// Source is SourceQuery, SourceFragment or SourceBoth.
	Source string
	// Problems lists syntax problems (malformed escapes, repeated keys,
	// invalid UTF-8) in the order they occur. [Result.Check] adds the
	// semantic ones.
	Problems []Problem
}

// ErrNoParams is returned (wrapped) by [Parse] when its input is not a URL
// with parameters: empty, not URL-shaped, or with neither a query nor a
// fragment that holds parameters.
var ErrNoParams = errors.New("not a URL with parameters")

// Parse decodes a redirect URL into the parameters an echo endpoint would
// return for it. It accepts a full URL ("https://host/path?code=..."), a
// path ("/services/oauth2/echo?..."), a bare query ("?code=..." or
// "code=...&state=..."), a fragment ("#error=access_denied") and a line
// copied from an HTTP trace ("Location: https://..."). Surrounding spaces,
// quotes and angle brackets are ignored.
//
// Parameters may sit in the query (the authorization code flow) or in the
// fragment (the user-agent flow's "#error=access_denied", protocol.md §10).
// When both hold parameters they are merged and the query wins a key found
// in both, because the query is what a server, and so the real echo
// endpoint, sees; the clash is reported as a "repeated-key" problem. A
// fragment without "=" (an in-page anchor) is ignored.
//
// Decoding is lenient; see [ParseQueryLenient]. The error, which never
// quotes the input, is returned only when there is nothing to decode.
func Parse(raw string) (Result, error) {
	s := trimInput(raw)
	if s == "" {
		return Result{}, fmt.Errorf("%w: the input is empty", ErrNoParams)
	}
	base, query, fragment := splitURL(s)
	if err := checkBase(base); err != nil {
		return Result{}, err
	}
	q, qp := ParseQueryLenient(query)
	var f Params
	var fp []Problem
	if strings.Contains(fragment, "=") {
		f, fp = ParseQueryLenient(fragment)
	}
	return merge(q, qp, f, fp)
}

// merge combines query and fragment parameters as [Parse] documents.
func merge(q Params, qp []Problem, f Params, fp []Problem) (Result, error) {
	switch {
	case len(q) == 0 && len(f) == 0:
		return Result{}, fmt.Errorf("%w: it has no query or fragment parameters", ErrNoParams)
	case len(f) == 0:
		return Result{Params: q, Source: SourceQuery, Problems: qp}, nil
	case len(q) == 0:
		return Result{Params: f, Source: SourceFragment, Problems: fp}, nil
	}
	r := Result{Params: q, Source: SourceBoth, Problems: append(qp, fp...)}
	for _, k := range sortedKeys(f) {
		if _, dup := q[k]; dup {
			r.Problems = append(r.Problems, Problem{Param: k, Kind: KindRepeatedKey,
				Detail: "appears in both the query and the fragment; the query's value is used"})
			continue
		}
		r.Params[k] = f[k]
	}
	return r, nil
}

// trimInput strips what people paste around a URL: spaces, a curl-style
// "< " marker, a "Location:" header name, and one pair of quotes or angle
// brackets.
func trimInput(raw string) string {
	s := strings.TrimSpace(raw)
	s = strings.TrimSpace(strings.TrimPrefix(s, "< "))
	if len(s) >= 9 && strings.EqualFold(s[:9], "location:") {
		s = strings.TrimSpace(s[9:])
	}
	for _, pair := range []string{`""`, `''`, "<>"} {
		if len(s) >= 2 && s[0] == pair[0] && s[len(s)-1] == pair[1] {
			return strings.TrimSpace(s[1 : len(s)-1])
		}
	}
	return s
}

// splitURL cuts s at the first "#" and then at the first "?" before it. A
// string with neither that looks like "key=value..." is taken as a bare
// query.
func splitURL(s string) (base, query, fragment string) {
	s, fragment, _ = strings.Cut(s, "#")
	base, query, found := strings.Cut(s, "?")
	if !found && looksLikeQuery(base) {
		return "", base, fragment
	}
	return base, query, fragment
}

// looksLikeQuery reports whether s reads as "key=value" rather than as a URL:
// an "=" before any "/" or ":".
func looksLikeQuery(s string) bool {
	i := strings.IndexByte(s, '=')
	return i > 0 && !strings.ContainsAny(s[:i], "/:")
}

// checkBase rejects a part before the parameters that cannot be a URL.
func checkBase(base string) error {
	if base == "" {
		return nil
	}
	if strings.IndexFunc(base, unicode.IsSpace) >= 0 || !utf8.ValidString(base) {
		return fmt.Errorf("%w: the part before the parameters is not a URL", ErrNoParams)
	}
	if _, err := url.Parse(base); err != nil {
		return fmt.Errorf("%w: the part before the parameters is not a URL", ErrNoParams)
	}
	return nil
}
