package echo

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ParseQueryLenient decodes an application/x-www-form-urlencoded string (a
// URL's query or fragment, without the leading "?" or "#") into [Params],
// keeping going where [net/url.ParseQuery] would give up:
//
//   - "+" is a space and "%XX" is the byte XX, so "%3D%3D" is "==";
//   - a "%" not followed by two hex digits is dropped, the valid escapes
//     around it are still decoded, and a "malformed-escape" problem names
//     the parameter: the help page's own example (TV14) shows the echo
//     endpoint answering "https://MyExperienceCloudSite.my.site.com" for an
//     sfdc_community_url that ends in a lone "%";
//   - bytes that do not form UTF-8 once decoded become U+FFFD, so the result
//     always encodes to valid JSON, with an "invalid-utf8" problem;
//   - a repeated key keeps its first value (what url.Values.Get returns),
//     with one "repeated-key" problem per key;
//   - only "&" separates parameters ("a;b" is one value, as in a browser's
//     URLSearchParams); empty pieces are skipped; a piece with an empty
//     name is dropped with an "empty-key" problem; a piece without "=" is a
//     key with an empty value.
//
// Problems never quote a value.
func ParseQueryLenient(q string) (Params, []Problem) {
	p := Params{}
	var probs []Problem
	count := map[string]int{}
	var repeated []string
	for piece := range strings.SplitSeq(q, "&") {
		if piece == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(piece, "=")
		key, kf := unescape(rawKey)
		val, vf := unescape(rawVal)
		if key == "" {
			probs = append(probs, Problem{Kind: KindEmptyKey,
				Detail: "a parameter with an empty name was ignored"})
			continue
		}
		probs = append(probs, kf.problems(key, "name")...)
		if count[key]++; count[key] > 1 {
			if count[key] == 2 {
				repeated = append(repeated, key)
			}
			continue
		}
		probs = append(probs, vf.problems(key, "value")...)
		p[key] = val
	}
	for _, k := range repeated {
		probs = append(probs, Problem{Param: k, Kind: KindRepeatedKey,
			Detail: fmt.Sprintf("appears %d times; the first value is used", count[k])})
	}
	return p, probs
}

// flaws records what [unescape] had to forgive in one key or value.
type flaws struct {
	badEscapes  int // how many "%" were not followed by two hex digits
	firstBad    int // byte offset of the first such "%"
	length      int // length of the raw text, for the message
	invalidUTF8 bool
}

// unescape decodes "+" and "%XX" like url.QueryUnescape, but drops a
// malformed "%" instead of failing (as the site does, TV14), and replaces
// invalid UTF-8.
func unescape(s string) (string, flaws) {
	f := flaws{length: len(s)}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case c == '%':
			if f.badEscapes == 0 {
				f.firstBad = i
			}
			f.badEscapes++
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "\uFFFD")
		f.invalidUTF8 = true
	}
	return out, f
}

// problems turns f into Problems for parameter key; part is "name" or
// "value". Offsets, not text, locate the fault, since the text may be a code.
func (f flaws) problems(key, part string) []Problem {
	var out []Problem
	if f.badEscapes > 0 {
		where := fmt.Sprintf("at byte %d of %d", f.firstBad+1, f.length)
		if f.firstBad == f.length-1 {
			where = "at the end"
		}
		d := fmt.Sprintf(`malformed percent-escape in the %s: "%%" %s is not followed by two hex digits; dropped, as the site's echo endpoint does`, part, where)
		if f.badEscapes > 1 {
			d += fmt.Sprintf(" (%d such escapes)", f.badEscapes)
		}
		out = append(out, Problem{Param: key, Kind: KindMalformedEscape, Detail: d})
	}
	if f.invalidUTF8 {
		out = append(out, Problem{Param: key, Kind: KindInvalidUTF8,
			Detail: fmt.Sprintf("the decoded %s is not valid UTF-8; invalid bytes were replaced with U+FFFD", part)})
	}
	return out
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// sortedKeys returns p's keys in sorted order.
func sortedKeys(p Params) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
