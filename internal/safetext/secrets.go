package safetext

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Mask replaces a secret value wherever sfecho prints one.
const Mask = "****"

// MinSecretLen is the shortest value [Secrets] masks: shorter ones would
// garble every message they happen to occur in, and give nothing away.
const MinSecretLen = 4

// Secrets is the set of secrets one run of sfecho knows: what it read
// (password, OTP, client secret, init token), what it made (the PKCE
// verifier) and what crossed the wire (the code, tokens). [Secrets.Mask]
// replaces every one of them in a text, in the forms a server would echo
// it in: as is, percent-encoded, JSON-escaped, and without base64 padding.
//
// The zero value is an empty set, ready to use; a nil *Secrets masks
// nothing. It is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	set    map[string]bool
	sorted []string // longest first; nil when set changed since
}

// Add records each value as a secret. Values shorter than [MinSecretLen]
// are ignored.
func (s *Secrets) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		for _, form := range forms(v) {
			if len(form) >= MinSecretLen && !s.set[form] {
				if s.set == nil {
					s.set = map[string]bool{}
				}
				s.set[form] = true
				s.sorted = nil
			}
		}
	}
}

// AddBasic records the secret half of a Basic credential (user:secret) and
// the encoded header value: a server that echoes the header gives away
// both. The user half is not a secret.
func (s *Secrets) AddBasic(user, secret string) {
	raw := user + ":" + secret
	s.Add(secret, base64.StdEncoding.EncodeToString([]byte(raw)), base64.RawStdEncoding.EncodeToString([]byte(raw)))
}

// Len returns how many forms of secrets the set holds.
func (s *Secrets) Len() int {
	if s == nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.set)
}

// forms are the spellings of v a server or library may print.
func forms(v string) []string {
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	if t := strings.TrimRight(v, "="); t != v {
		out = append(out, t, url.QueryEscape(t))
	}
	return out
}

// Mask returns text with every known secret replaced by [Mask], longest
// first. A secret made only of digits (an OTP) is masked only where it
// stands as a whole number, so that timestamps and lengths stay readable.
func (s *Secrets) Mask(text string) string {
	for _, v := range s.list() {
		if strings.Contains(text, v) {
			text = replace(text, v, isDigits(v))
		}
	}
	return text
}

// Line is [Line] of [Secrets.Mask]: the form of every text from outside
// that sfecho prints.
func (s *Secrets) Line(text string) string { return Line(s.Mask(text)) }

func (s *Secrets) list() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	l, n := s.sorted, len(s.set)
	s.mu.RUnlock()
	if l != nil || n == 0 {
		return l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sorted != nil {
		return s.sorted
	}
	l = make([]string, 0, len(s.set))
	for v := range s.set {
		l = append(l, v)
	}
	sort.Slice(l, func(i, j int) bool {
		if len(l[i]) != len(l[j]) {
			return len(l[i]) > len(l[j])
		}
		return l[i] < l[j]
	})
	s.sorted = l
	return l
}

// replace masks every occurrence of v in text; with whole, only those not
// touching another digit.
func replace(text, v string, whole bool) string {
	if !whole {
		return strings.ReplaceAll(text, v, Mask)
	}
	var b strings.Builder
	for {
		i := strings.Index(text, v)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(v)
		if (i > 0 && isDigit(text[i-1])) || (end < len(text) && isDigit(text[end])) {
			b.WriteString(text[:i+1])
			text = text[i+1:]
			continue
		}
		b.WriteString(text[:i])
		b.WriteString(Mask)
		text = text[end:]
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
