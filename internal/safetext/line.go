// Package safetext makes text that came from outside sfecho safe to print,
// and keeps the secrets sfecho knows out of what it prints (design.md,
// "Security rules").
//
//   - [Line] escapes every control character visibly and always yields one
//     line: what a site, a network peer, a certificate or a token sends can
//     neither drive the terminal (ESC sequences, C1 controls), fake a line
//     (CR, LF, U+2028) nor reorder what is shown (bidi overrides).
//   - [Secrets] is the set of secrets one run knows (password, OTP, code,
//     verifier, client secret, tokens); [Secrets.Mask] replaces each of them
//     wherever it appears, server text included.
//   - [MaskParams] and [MaskKeys] mask the values of secret parameters in free
//     text and in decoded JSON, by key.
//
// The package imports nothing from the rest of sfecho and never prints.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s with every character that could act on a terminal or
// break a line escaped visibly, so that it prints on one line and shows
// what was sent:
//
//   - C0 controls and DEL: \t, \n, \r, or \xNN (ESC is \x1b);
//   - C1 controls (U+0080–U+009F, such as the CSI U+009B): \u009b;
//   - bidi and other invisible format characters (Unicode category Cf:
//     U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C, zero-width
//     characters, BOM), and the line and paragraph separators U+2028/9:
//     \u202e and so on;
//   - bytes that are not UTF-8: \xNN.
//
// Everything else, backslashes included, is kept as is: the escapes are for
// reading, not for decoding. Line is idempotent: Line(Line(s)) == Line(s).
func Line(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case !unsafe(r):
			b.WriteString(s[i : i+size])
		default:
			b.WriteString(escape(r))
		}
		i += size
	}
	return b.String()
}

// Clean reports whether s holds nothing [Line] would escape: valid UTF-8
// without control, format or line-separator characters. Values that are
// printed for a shell to evaluate (-o env) must be Clean, since escaping
// would change them.
func Clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafe reports whether r is escaped by Line.
func unsafe(r rune) bool {
	if r < 0x20 || r == 0x7f {
		return true
	}
	if r < 0x80 {
		return false
	}
	// Cc covers C0, DEL and C1; Cf the bidi controls (U+061C, U+200E/F,
	// U+202A–U+202E, U+2066–U+2069) and other invisible format
	// characters; Zl and Zp are U+2028 and U+2029, line breaks to some
	// terminals and editors.
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

func escape(r rune) string {
	switch r {
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	}
	switch {
	case r < 0x80:
		return `\x` + hex2(byte(r))
	case r <= 0xffff:
		return `\u` + pad(strconv.FormatInt(int64(r), 16), 4)
	}
	return `\U` + pad(strconv.FormatInt(int64(r), 16), 8)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}
