package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// canaries records every secret the site hands out or receives, so a test
// can assert none of them reaches stderr.
type canaries struct {
	mu   sync.Mutex
	seen map[string]string // value -> what it is
}

func (c *canaries) add(kind, v string) {
	if len(v) < 6 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A code ends in "==": a trace would show it escaped, or cut short of
	// its padding.
	for _, form := range []string{v, url.QueryEscape(v), strings.TrimRight(v, "=")} {
		if len(form) >= 6 {
			c.seen[form] = kind
		}
	}
}

// leaks returns the secrets found in s.
func (c *canaries) leaks(s string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for v, kind := range c.seen {
		if strings.Contains(s, v) {
			out = append(out, kind)
		}
	}
	return out
}

// record wraps the site and notes codes, verifiers, tokens and OTP
// identifiers as they pass.
func (c *canaries) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		for _, k := range []string{"code_verifier", "code", "refresh_token", "token", "client_secret", "password", "otp"} {
			c.add(k, r.PostForm.Get(k))
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if loc, err := url.Parse(rec.Header().Get("Location")); err == nil {
			c.add("code", loc.Query().Get("code"))
		}
		var m map[string]any
		if json.Unmarshal(rec.Body.Bytes(), &m) == nil {
			for _, k := range []string{"access_token", "refresh_token", "id_token", "code", "identifier", "signature"} {
				if s, ok := m[k].(string); ok {
					c.add(k, s)
				}
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

func TestCanaryLoginVerbose(t *testing.T) {
	const pw, secret = "CANARY-pw-7d2f9", "CANARY-clientsecret-41c"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	cfg.ClientSecret = secret
	cn := &canaries{seen: map[string]string{pw: "password", secret: "client secret"}}
	ts := startSite(t, cfg, cn.record)
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte(secret), 0o600)

	for _, capture := range []string{"location", "echo"} {
		for _, out := range []string{"text", "json", "token", "env"} {
			te := newTestEnv(t)
			te.stdin.WriteString(pw + "\n")
			args := ts.loginArgs("-v", "--capture", capture, "-o", out, "--client-secret-file", secretFile)
			if code := te.run(t, args...); code != 0 {
				t.Fatalf("%s/%s: exit %d\n%s", capture, out, code, te.stderr)
			}
			if !contains(te.stderr.String(), "> POST") {
				t.Fatalf("-v printed no trace:\n%s", te.stderr)
			}
			if l := cn.leaks(te.stderr.String()); len(l) > 0 {
				t.Errorf("%s/%s: stderr leaks %v:\n%s", capture, out, l, te.stderr)
			}
			if l := allowedOnStdout(out, cn.leaks(te.stdout.String())); len(l) > 0 {
				t.Errorf("%s/%s: stdout leaks %v:\n%s", capture, out, l, te.stdout)
			}
		}
	}
	// Failures must not leak either.
	te := newTestEnv(t)
	te.vars["SFECHO_DEBUG"] = "1"
	te.stdin.WriteString("CANARY-wrongpw-88\n")
	cn.add("password", "CANARY-wrongpw-88")
	te.run(t, ts.loginArgs("--client-secret-file", secretFile)...)
	if l := cn.leaks(te.stderr.String() + te.stdout.String()); len(l) > 0 {
		t.Errorf("failed login leaks %v:\n%s", l, te.stderr)
	}
}

// allowedOnStdout drops what the asked-for output is meant to print.
func allowedOnStdout(format string, leaks []string) []string {
	allowed := map[string]bool{}
	switch format {
	case "json":
		allowed = map[string]bool{"access_token": true, "refresh_token": true, "id_token": true, "signature": true}
	case "token", "env":
		allowed = map[string]bool{"access_token": true}
	}
	var out []string
	for _, l := range leaks {
		if !allowed[l] {
			out = append(out, l)
		}
	}
	return out
}
