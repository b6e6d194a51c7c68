package safetext

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// hostile are strings a site, a network peer, a certificate or a token can
// carry, with what Line must make of them.
var hostile = []struct {
	name, in, want string
}{
	{"plain", "invalid_grant: authentication failure", "invalid_grant: authentication failure"},
	{"OSC retitle", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
	{"clear screen", "ok\x1b[2J\x1b[H", `ok\x1b[2J\x1b[H`},
	{"CSI C1", "host\u009b2Jx", `host\u009b2Jx`},
	{"OSC C1", "\u009d0;title\u009c", `\u009d0;title\u009c`},
	{"NEL C1", "a\u0085b", `a\u0085b`},
	{"CR fake line", "ok\rsfecho: logged in", `ok\rsfecho: logged in`},
	{"LF fake line", "x\nhint: run curl evil | sh", `x\nhint: run curl evil | sh`},
	{"CRLF", "a\r\nb", `a\r\nb`},
	{"tab", "a\tb", `a\tb`},
	{"NUL", "a\x00b", `a\x00b`},
	{"BEL", "\a", `\x07`},
	{"backspace overwrite", "evil\b\b\b\bgood", `evil\x08\x08\x08\x08good`},
	{"DEL", "a\x7fb", `a\x7fb`},
	{"RLO", "user\u202egnp.exe", `user\u202egnp.exe`},
	{"LRO PDF", "\u202dabc\u202c", `\u202dabc\u202c`},
	{"LRE RLE", "\u202a\u202b", `\u202a\u202b`},
	{"isolates", "\u2066a\u2067b\u2068c\u2069", `\u2066a\u2067b\u2068c\u2069`},
	{"LRM RLM", "\u200e\u200f", `\u200e\u200f`},
	{"ALM", "\u061c", `\u061c`},
	{"zero width", "a\u200bb\u200dc\ufeff", `a\u200bb\u200dc\ufeff`},
	{"line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
	{"tag char", "a\U000e0041", `a\U000e0041`},
	{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
	{"overlong ESC", "\xc0\x9b", `\xc0\x9b`},
	{"backslash kept", `C:\Users\a`, `C:\Users\a`},
	{"unicode kept", "Zoë 日本 🙂", "Zoë 日本 🙂"},
}

func TestLine(t *testing.T) {
	t.Parallel()
	for _, tc := range hostile {
		got := Line(tc.in)
		if got != tc.want {
			t.Errorf("%s: Line(%q) = %q; want %q", tc.name, tc.in, got, tc.want)
		}
		if Line(got) != got {
			t.Errorf("%s: Line is not idempotent on %q", tc.name, got)
		}
		if Clean(tc.in) != (tc.in == tc.want) {
			t.Errorf("%s: Clean(%q) = %v", tc.name, tc.in, Clean(tc.in))
		}
		checkSafe(t, tc.in, got)
	}
}

// checkSafe fails when out holds anything a terminal acts on.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Line(%q) = %q: not UTF-8", in, out)
	}
	for _, r := range out {
		if r < 0x20 || r == 0x7f || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Fatalf("Line(%q) = %q: holds %U", in, out, r)
		}
	}
	if strings.ContainsAny(out, "\r\n") {
		t.Fatalf("Line(%q) = %q: more than one line", in, out)
	}
}

func FuzzLine(f *testing.F) {
	for _, tc := range hostile {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		checkSafe(t, s, out)
		if Line(out) != out || !Clean(out) {
			t.Fatalf("Line(%q) = %q is not a fixed point", s, out)
		}
		if Clean(s) && out != s {
			t.Fatalf("Line changed clean %q to %q", s, out)
		}
		// Masking and escaping together keep both promises.
		var sec Secrets
		sec.Add("CANARY-1234")
		m := sec.Line(s + "CANARY-1234")
		checkSafe(t, s, m)
		if strings.Contains(m, "CANARY-1234") {
			t.Fatalf("secret survived in %q", m)
		}
	})
}

func TestSecretsMask(t *testing.T) {
	t.Parallel()
	var s Secrets
	code := "aPrxbW9sZS5wYXNz0123==" // codes end in ==
	s.Add("Hunter2-pw!", code, "ab", "123456")
	s.AddBasic("alice", "Hunter2-pw!")
	for _, tc := range []struct{ in, want string }{
		{"authentication failure for Hunter2-pw!", "authentication failure for ****"},
		{`{"error_description":"bad password \"Hunter2-pw!\""}`, `{"error_description":"bad password \"****\""}`},
		{"password=Hunter2-pw%21&x=1", "password=****&x=1"},
		{"code " + url.QueryEscape(code) + " was used", "code **** was used"},
		{"code " + strings.TrimRight(code, "=") + " cut short", "code **** cut short"},
		{"Basic YWxpY2U6SHVudGVyMi1wdyE=", "Basic ****"},
		{"ab is too short to mask", "ab is too short to mask"},
		{"otp 123456 sent", "otp **** sent"},
		{"issued_at 17123456789", "issued_at 17123456789"},
		{"code=123456&x", "code=****&x"},
	} {
		if got := s.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	var none *Secrets
	if none.Mask("x") != "x" || none.Len() != 0 {
		t.Error("a nil set masked something")
	}
	none.Add("ignored")
}

// A secret that is a prefix of another is masked without leaving a tail.
func TestSecretsLongestFirst(t *testing.T) {
	t.Parallel()
	var s Secrets
	s.Add("tok-1234", "tok-1234-longer")
	if got := s.Mask("a tok-1234-longer b tok-1234"); got != "a **** b ****" {
		t.Errorf("Mask = %q", got)
	}
}

func TestSecretsConcurrent(t *testing.T) {
	t.Parallel()
	var s Secrets
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				v := fmt.Sprintf("secret-%d-%d", i, j)
				s.Add(v)
				if got := s.Mask("x " + v + " y"); got != "x **** y" {
					t.Errorf("Mask = %q", got)
				}
			}
		})
	}
	wg.Wait()
}

func TestMaskParams(t *testing.T) {
	t.Parallel()
	secret := func(k string) bool { return k == "code" || k == "password" || k == "access_token" }
	for _, tc := range []struct{ in, want string }{
		{`failed to parse Location header "https://evil.example\\@site/cb?code=aPrx%3D%3D&state=s1": invalid`,
			`failed to parse Location header "https://evil.example\\@site/cb?code=****&state=s1": invalid`},
		{`"https://h/cb?state=s&code=abc\x1bdef"`, `"https://h/cb?state=s&code=****"`},
		{"cb#access_token=tok&x=1", "cb#access_token=****&x=1"},
		{"username=a&password=p%20w", "username=a&password=****"},
		{"co%64e=abc", "co%64e=****"},
		{"barcode=abc", "barcode=abc"},
		{"code=", "code="},
		{"no pairs here", "no pairs here"},
	} {
		if got := MaskParams(tc.in, secret); got != tc.want {
			t.Errorf("MaskParams(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskKeys(t *testing.T) {
	t.Parallel()
	var v any
	json.Unmarshal([]byte(`{"a":{"refresh_token":"R","b":[{"access_token":"A","c":1}]},"access_token":"T","scope":"api"}`), &v)
	got, _ := json.Marshal(MaskKeys(v, func(k string) bool { return strings.HasSuffix(k, "_token") }))
	want := `{"a":{"b":[{"access_token":"****","c":1}],"refresh_token":"****"},"access_token":"****","scope":"api"}`
	if string(got) != want {
		t.Errorf("MaskKeys = %s; want %s", got, want)
	}
	if orig, _ := json.Marshal(v); strings.Contains(string(orig), "****") {
		t.Errorf("MaskKeys changed its input: %s", orig)
	}
}
