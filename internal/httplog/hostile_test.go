package httplog

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/safetext"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// rawServer answers every request with resp, byte for byte, as a hostile
// server that ignores HTTP's rules would.
func rawServer(t *testing.T, resp string) string { return simtest.Raw(t, resp) }

// Response headers that carry credentials, and any header or body text
// repeating a secret the run knows, are masked in the trace; control
// characters in them are escaped.
func TestTraceHostileResponseHeaders(t *testing.T) {
	const pw, tok, code = "CANARY-pw-55a1", "CANARY-tok-00D1", "CANARY-code-aa=="
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Debug-Auth", "Basic "+r.Header.Get("Authorization"))
		h.Set("X-Echo", "you sent "+pw)
		h.Set("WWW-Authenticate", `Bearer realm="x", error="invalid_token", token="`+tok+`"`)
		h.Set("Set-Cookie", "sid="+tok)
		h.Set("X-Auth-Token", "opaque-value-1")
		h.Set("X-Note", "Bearer "+tok)
		h.Set("X-Redirect-Debug", "cb?code="+url.QueryEscape(code)+"&state=s")
		h.Set("Auth-Request-Type", "Named-User")
		h.Set("Content-Type", "application/json")
		io.WriteString(w, `{"error":"invalid_grant","error_description":"wrong password `+pw+` for token `+tok+`"}`)
	}))
	defer srv.Close()
	var known safetext.Secrets
	known.Add(tok)
	var out bytes.Buffer
	c := &http.Client{Transport: &Transport{Out: &out, Secret: secret, Known: &known,
		Base: &Learner{Secrets: &known, Secret: secret}}}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.SetBasicAuth("alice", pw)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	trace := out.String()
	for _, leak := range []string{pw, tok, "opaque-value-1", "CANARY-code", "YWxpY2U6"} {
		if strings.Contains(trace, leak) {
			t.Errorf("trace leaks %q:\n%s", leak, trace)
		}
	}
	for _, want := range []string{"< X-Debug-Auth: ****", "< Www-Authenticate: Bearer ****", "< Set-Cookie: ****",
		"< X-Auth-Token: ****", "< X-Note: Bearer ****", "< X-Echo: you sent ****", "< Auth-Request-Type: Named-User", "code=****&state=s",
		`wrong password **** for token ****`} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
}

// A header value with C1 and bidi controls (net/http refuses C0 ones) and
// a Location net/http cannot parse: the trace escapes the first, and the
// Learner records the code of the second before the client fails on it.
func TestTraceRawControlsAndLearnedLocation(t *testing.T) {
	const code = "CANARY-rawcode-7f1c%3D%3D"
	base := rawServer(t, "HTTP/1.1 302 Found\r\n"+
		"Location: https://evil.example\\@site.example/cb?code="+code+"&state=s1\r\n"+
		"X-Title: \u009b2J\u202eevil\r\n"+
		"Content-Length: 0\r\n\r\n")
	var known safetext.Secrets
	var out bytes.Buffer
	c := &http.Client{Transport: &Transport{Out: &out, Secret: secret, Known: &known,
		Base: &Learner{Secrets: &known, Secret: secret}}}
	_, err := c.Get(base + "/authorize")
	if err == nil || !strings.Contains(err.Error(), "failed to parse Location header") {
		t.Fatalf("err = %v; want net/http's Location parse error", err)
	}
	if got := known.Mask(err.Error()); strings.Contains(got, "CANARY-rawcode") {
		t.Errorf("the code was not learned: %s", got)
	}
	trace := out.String()
	if strings.ContainsAny(trace, "\u009b\u202e") || !strings.Contains(trace, `\u009b2J\u202eevil`) {
		t.Errorf("trace passes control characters through:\n%q", trace)
	}
	if strings.Contains(trace, "CANARY-rawcode") {
		t.Errorf("trace leaks the code:\n%s", trace)
	}
}

// The Learner records Basic, Bearer, form, query and JSON secrets, in
// requests and in answers, and leaves both unchanged.
func TestLearner(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"CANARY-at-1","nested":{"refresh_token":"CANARY-rt-2"},"scope":"api"}`)
	}))
	defer srv.Close()
	var known safetext.Secrets
	c := &http.Client{Transport: &Learner{Secrets: &known, Secret: secret}}
	form := url.Values{"password": {"CANARY-form-pw"}, "username": {"alice"}}
	req, _ := http.NewRequest("POST", srv.URL+"/t?code=CANARY-q-code", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("alice", "CANARY-basic-pw")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "CANARY-rt-2") {
		t.Errorf("the answer was altered: %s", body)
	}
	text := "CANARY-at-1 CANARY-rt-2 CANARY-form-pw CANARY-q-code CANARY-basic-pw alice scope"
	if got, want := known.Mask(text), "**** **** **** **** **** alice scope"; got != want {
		t.Errorf("Mask = %q; want %q", got, want)
	}
}

// A header line with a raw ESC breaks the connection; net/http's error
// quotes the line, and the trace masks the code in it.
func TestTraceMalformedHeaderError(t *testing.T) {
	base := rawServer(t, "HTTP/1.1 302 Found\r\nLocation: https://site.example/cb?code=CANARY-esc-code\x1b[2J&state=s1\r\n\r\n")
	var out bytes.Buffer
	c := &http.Client{Transport: &Transport{Out: &out, Secret: secret}}
	_, err := c.Get(base + "/authorize")
	if err == nil || !strings.Contains(err.Error(), "CANARY-esc-code") {
		t.Fatalf("err = %v; want net/http's malformed header error quoting the line", err)
	}
	if trace := out.String(); strings.Contains(trace, "CANARY-esc-code") || !strings.Contains(trace, "< error after") || strings.Contains(trace, "\x1b") {
		t.Errorf("trace:\n%q", trace)
	}
}
