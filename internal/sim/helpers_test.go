package sim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/pkce"
)

const (
	testClient = "cid-123"
	testUser   = "alice@example.com"
	testPass   = "Alice-Passw0rd:with colon"
	verifier   = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

// clock is a settable fake time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func baseConfig() Config {
	return Config{
		ClientID: testClient,
		Users: []User{
			{Username: testUser, Password: testPass, Email: testUser, FirstName: "Alice", LastName: "Liddell", Phone: "+1 555 0100"},
			{Username: "bob@example.com", Password: "Bob-Passw0rd", Email: "bob@example.com", Inactive: true},
		},
	}
}

// env is a running site with a client that stops at redirects.
type env struct {
	t    *testing.T
	site *Site
	srv  *httptest.Server
	c    *http.Client
	base string // site URL with prefix
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	site := New(cfg)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	t.Cleanup(site.Close)
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, site: site, srv: srv, c: c, base: srv.URL + site.Config().PathPrefix}
}

func (e *env) echoURL() string { return e.base + "/services/oauth2/echo" }

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// authForm is a Named-User authorize body with PKCE and state.
func (e *env) authForm() url.Values {
	return url.Values{
		"response_type":  {"code_credentials"},
		"client_id":      {testClient},
		"redirect_uri":   {e.echoURL()},
		"state":          {"st-1"},
		"code_challenge": {pkce.ChallengeS256(verifier)},
	}
}

func (e *env) do(method, path string, form url.Values, hdr map[string]string) *http.Response {
	e.t.Helper()
	var body io.Reader
	u := e.base + path
	if method == http.MethodGet {
		if form != nil {
			u += "?" + form.Encode()
		}
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, u, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (e *env) authorize(form url.Values, hdr map[string]string) *http.Response {
	e.t.Helper()
	return e.do(http.MethodPost, "/services/oauth2/authorize", form, hdr)
}

func named(user, pass string) map[string]string {
	return map[string]string{"Auth-Request-Type": "Named-User", "Authorization": basic(user, pass)}
}

// code logs alice in and returns the code from Location.
func (e *env) code() string {
	e.t.Helper()
	resp := e.authorize(e.authForm(), named(testUser, testPass))
	return codeFrom(e.t, resp)
}

func codeFrom(t *testing.T, resp *http.Response) string {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorize status = %d; want 302; body %s", resp.StatusCode, b)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("code")
}

func (e *env) exchange(code string, extra url.Values) *http.Response {
	e.t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testClient},
		"redirect_uri": {e.echoURL()}, "code_verifier": {verifier}}
	for k, v := range extra {
		f[k] = v
	}
	return e.do(http.MethodPost, "/services/oauth2/token", f, nil)
}

// tokens logs in and exchanges, returning the token response.
func (e *env) tokens() map[string]any {
	e.t.Helper()
	return decode(e.t, e.exchange(e.code(), nil), http.StatusOK)
}

func decode(t *testing.T, resp *http.Response, status int) map[string]any {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status = %d; want %d; body %s", resp.StatusCode, status, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

// wantError checks a 400 OAuth error.
func wantError(t *testing.T, resp *http.Response, code, desc string) {
	t.Helper()
	m := decode(t, resp, http.StatusBadRequest)
	if m["error"] != code || (desc != "" && m["error_description"] != desc) {
		t.Errorf("error = %v / %v; want %s / %s", m["error"], m["error_description"], code, desc)
	}
}

func wantHTML(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("got %d %q; want %d text/html", resp.StatusCode, resp.Header.Get("Content-Type"), status)
	}
}

func with(f url.Values, kv ...string) url.Values {
	g := url.Values{}
	for k, v := range f {
		g[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			g.Del(kv[i])
		} else {
			g.Set(kv[i], kv[i+1])
		}
	}
	return g
}
