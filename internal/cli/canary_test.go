package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// hostileSite stands between client and site and misbehaves as its mode,
// switched at run time, says: repeating in its answers, headers and error
// texts every secret it was sent or sent out (issue 10).
type hostileSite struct{ mode atomic.Value }

func (h *hostileSite) set(mode string) { h.mode.Store(mode) }

func (h *hostileSite) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode, _ := h.mode.Load().(string)
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		auth := r.Header.Get("Authorization")
		pass := ""
		if _, p, ok := r.BasicAuth(); ok {
			pass = p
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r) // the site answers, and the canaries note its secrets
		loc, path := rec.Header().Get("Location"), r.URL.Path
		switch {
		case mode == "echo-authorize" && strings.HasSuffix(path, "/authorize"):
			answerJSON(w, 400, map[string]string{"error": "invalid_grant",
				"error_description": "authentication failure: " + auth + " is " + pass + " / " + url.QueryEscape(pass)})
			return
		case mode == "echo-token" && strings.HasSuffix(path, "/token"):
			answerJSON(w, 400, map[string]string{"error": "invalid_grant",
				"error_description": "code " + form.Get("code") + " (" + url.QueryEscape(form.Get("code")) + ") does not match verifier " +
					form.Get("code_verifier") + " for secret " + form.Get("client_secret")})
			return
		case mode == "bad-location" && loc != "":
			rawAnswer(w, "HTTP/1.1 302 Found\r\nLocation: "+strings.Replace(loc, "://", `://evil.example\@`, 1)+"\r\nContent-Length: 0\r\n\r\n")
			return
		case mode == "esc-location" && loc != "":
			rawAnswer(w, "HTTP/1.1 302 Found\r\nLocation: "+loc+"\x1b]0;x\x07\r\nContent-Length: 0\r\n\r\n")
			return
		case mode == "echo-userinfo" && strings.HasSuffix(path, "/userinfo"):
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+strings.TrimPrefix(auth, "Bearer ")+`"`)
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "Bad_OAuth_Token "+auth)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		out := rec.Body.Bytes()
		if mode == "headers" {
			hd := w.Header()
			hd.Set("X-Debug-Auth", auth)
			hd.Set("X-Debug-Form", string(body))
			hd.Set("X-Debug-Note", "password="+pass+" code="+form.Get("code"))
			hd.Set("Set-Cookie", "sid="+pass+"; HttpOnly")
			hd.Set("WWW-Authenticate", `Basic realm="`+pass+`"`)
			hd.Set("Authentication-Info", "nextnonce="+form.Get("code_verifier"))
			var m map[string]any
			if strings.HasSuffix(path, "/token") && json.Unmarshal(out, &m) == nil {
				// Secrets at any depth, and under keys that are not secret.
				m["sfdc_extra"] = map[string]any{"refresh_token": m["refresh_token"],
					"tokens": []any{map[string]any{"access_token": m["access_token"], "id_token": m["id_token"]}}}
				m["debug"] = "code " + form.Get("code") + " verifier " + form.Get("code_verifier")
				out, _ = json.Marshal(m)
				hd.Del("Content-Length")
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(out)
	})
}

// TestCanaryHostileSite plants canary secrets and runs sfecho against a
// site that repeats them wherever it can: in response headers (-v), in
// error texts (error_description echoing the password and the Basic
// header, a token error quoting the code, the verifier and the client
// secret, a userinfo 401 repeating the bearer token), in a Location Go
// cannot parse (its transport error quotes the code), and nested in the
// token answer (-o text). None of them may reach stderr, nor stdout
// beyond what the output format asks for.
func TestCanaryHostileSite(t *testing.T) {
	const pw, secret = "CANARY-pw-hostile-6e0", "CANARY-clientsecret-hostile-2a9"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	cfg.ClientSecret = secret
	cn := &canaries{seen: map[string]string{pw: "password", secret: "client secret"}}
	hs := &hostileSite{}
	ts := startSite(t, cfg, func(h http.Handler) http.Handler { return hs.wrap(cn.record(h)) })
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte(secret), 0o600)
	te := newTestEnv(t)
	check := func(name, format string, want int, args ...string) {
		t.Helper()
		te.stdin.Reset()
		te.stdin.WriteString(pw + "\n")
		if code := te.run(t, args...); code != want {
			t.Errorf("%s: exit %d; want %d\n%s", name, code, want, te.stderr)
		}
		if l := cn.leaks(te.stderr.String()); len(l) > 0 {
			t.Errorf("%s: stderr leaks %v:\n%s", name, l, te.stderr)
		}
		if format == "text" && !contains(te.stdout.String(), "sfdc_extra") {
			t.Errorf("%s: -o text lacks the nested field:\n%s", name, te.stdout)
		}
		if l := allowedOnStdout(format, cn.leaks(te.stdout.String())); format != "json" && len(l) > 0 {
			t.Errorf("%s: stdout leaks %v:\n%s", name, l, te.stdout)
		}
	}
	login := func(extra ...string) []string {
		return append([]string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser,
			"--password-stdin", "--scope", "api refresh_token", "--client-secret-file", secretFile}, extra...)
	}

	hs.set("headers")
	check("-v response headers, -o text nested", "text", 0, login("-v", "-o", "text", "--no-store")...)
	for _, want := range []string{"< X-Debug-Auth: ****", "< Set-Cookie: ****", "< Www-Authenticate: Basic ****",
		"< X-Debug-Note: password=**** code=", "< X-Debug-Note: password= code=****", `"sfdc_extra":{"refresh_token":"****"`} {
		if !contains(te.stderr.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, te.stderr)
		}
	}
	check("-v response headers, -o json", "json", 0, login("-v", "-o", "json", "--no-store")...)
	check("-v, session saved", "token", 0, login("-v", "-o", "token")...)

	for _, tc := range []struct {
		mode string
		want int
	}{{"echo-authorize", ExitRejected}, {"echo-token", ExitRejected}, {"bad-location", ExitSecurity}, {"esc-location", ExitSecurity}} {
		hs.set(tc.mode)
		check(tc.mode, "token", tc.want, login("--no-store", "-o", "token")...)
		check(tc.mode+" -v", "token", tc.want, login("--no-store", "-o", "token", "-v")...)
	}
	hs.set("echo-userinfo")
	check("echo-userinfo", "json", ExitNoSession, "userinfo")
	check("echo-userinfo -v", "json", ExitNoSession, "userinfo", "-v")
}
