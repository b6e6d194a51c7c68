package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/pkce"
)

func (e *env) browserQuery() url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {testClient}, "redirect_uri": {e.echoURL()},
		"state": {"bs-1"}, "code_challenge": {pkce.ChallengeS256(verifier)}, "scope": {"api refresh_token"}}
}

// hiddenFields scrapes the login form as a browser would submit it.
func hiddenFields(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

func TestBrowserLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	resp := e.do(http.MethodGet, "/services/oauth2/authorize", e.browserQuery(), nil)
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	wantHTML(t, resp, http.StatusOK)
	for _, id := range []string{`id="username"`, `id="password"`, `id="login"`, `action="/services/oauth2/authorize"`} {
		if !strings.Contains(page, id) {
			t.Errorf("login page lacks %s", id)
		}
	}
	form := hiddenFields(t, page)
	if form.Get("redirect_uri") != e.echoURL() || form.Get("state") != "bs-1" || form.Get("scope") != "api refresh_token" {
		t.Fatalf("hidden fields = %v", form)
	}

	bad := e.authorize(with(form, "username", testUser, "password", "nope", "action", "login"), nil)
	b, _ = io.ReadAll(bad.Body)
	if bad.StatusCode != 200 || !strings.Contains(string(b), `id="error"`) {
		t.Errorf("wrong password: %d, error shown %v", bad.StatusCode, strings.Contains(string(b), `id="error"`))
	}

	ok := e.authorize(with(form, "username", testUser, "password", testPass, "action", "login"), nil)
	loc, _ := url.Parse(ok.Header.Get("Location"))
	if ok.StatusCode != 302 || loc.Query().Get("state") != "bs-1" || loc.Query().Get("sfdc_community_url") != e.srv.URL {
		t.Fatalf("login POST: %d %v", ok.StatusCode, loc)
	}
	m := decode(t, e.exchange(loc.Query().Get("code"), nil), http.StatusOK)
	if m["scope"] != "api refresh_token" || m["refresh_token"] == nil {
		t.Errorf("browser tokens scope %v", m["scope"])
	}

	deny := e.authorize(with(form, "action", "deny"), nil)
	loc, _ = url.Parse(deny.Header.Get("Location"))
	if deny.StatusCode != 302 || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "bs-1" {
		t.Errorf("deny: %d %v", deny.StatusCode, loc)
	}
}

func TestBrowserErrors(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.RequirePKCE = true
	e := newEnv(t, cfg)
	q := e.browserQuery()
	wantHTML(t, e.do(http.MethodGet, "/services/oauth2/authorize", with(q, "client_id", "nope"), nil), http.StatusBadRequest)
	wantHTML(t, e.do(http.MethodGet, "/services/oauth2/authorize", with(q, "redirect_uri", "https://evil.example/"), nil), http.StatusBadRequest)
	for _, tc := range []struct{ key, value, err string }{
		{"scope", "full", "invalid_scope"},
		{"code_challenge", "", "invalid_request"},
	} {
		resp := e.do(http.MethodGet, "/services/oauth2/authorize", with(q, tc.key, tc.value), nil)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("error") != tc.err || loc.Query().Get("state") != "bs-1" {
			t.Errorf("%s=%q: %d %v", tc.key, tc.value, resp.StatusCode, loc)
		}
	}
}

func (e *env) introspect(tok string, client, secret string) *http.Response {
	e.t.Helper()
	f := url.Values{"token": {tok}, "client_id": {client}}
	if secret != "" {
		f.Set("client_secret", secret)
	}
	return e.do(http.MethodPost, "/services/oauth2/introspect", f, nil)
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := baseConfig()
	cfg.ClientSecret, cfg.Now = "s3cret", clk.Now
	e := newEnv(t, cfg)
	m := decode(t, e.exchange(e.code(), url.Values{"client_secret": {"s3cret"}}), http.StatusOK)
	at, rt := m["access_token"].(string), m["refresh_token"].(string)
	in := decode(t, e.introspect(at, testClient, "s3cret"), http.StatusOK)
	want := map[string]any{"active": true, "client_id": testClient, "username": testUser, "token_type": "access_token",
		"scope": "api refresh_token openid web", "sub": m["id"], "iat": float64(clk.Now().Unix()),
		"nbf": float64(clk.Now().Unix()), "exp": float64(clk.Now().Add(DefaultAccessTokenTTL).Unix())}
	for k, v := range want {
		if in[k] != v {
			t.Errorf("introspect %s = %v; want %v", k, in[k], v)
		}
	}
	if r := decode(t, e.introspect(rt, testClient, "s3cret"), http.StatusOK); r["token_type"] != "refresh_token" || r["exp"] != nil {
		t.Errorf("refresh introspection = %v", r)
	}
	if r := e.introspect(at, testClient, "wrong"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad secret: %d; want 401", r.StatusCode)
	}
	if r := decode(t, e.introspect("nope", testClient, "s3cret"), http.StatusOK); len(r) != 1 || r["active"] != false {
		t.Errorf("unknown token = %v; want only active:false", r)
	}
	clk.Add(DefaultAccessTokenTTL)
	if r := decode(t, e.introspect(at, testClient, "s3cret"), http.StatusOK); r["active"] != false {
		t.Errorf("expired token active")
	}
}

func TestIntrospectPublicAndDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	at := e.tokens()["access_token"].(string)
	if r := decode(t, e.introspect(at, testClient, ""), http.StatusOK); r["active"] != true {
		t.Errorf("public client introspection = %v", r)
	}
	cfg := baseConfig()
	cfg.IntrospectDisabled = true
	off := newEnv(t, cfg)
	wantHTML(t, off.introspect("x", testClient, ""), http.StatusNotFound)
}

func TestIdentityURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	m := e.tokens()
	auth := map[string]string{"Authorization": "Bearer " + m["access_token"].(string)}
	id, _ := url.Parse(m["id"].(string))
	got := decode(t, e.do(http.MethodGet, id.Path, nil, auth), http.StatusOK)
	if got["username"] != testUser || got["id"] != m["id"] {
		t.Errorf("identity = %v", got)
	}
	other := e.do(http.MethodGet, "/id/"+OrgID+"/0055g0000099999AAA", nil, auth)
	if other.StatusCode != http.StatusForbidden {
		t.Errorf("other user's identity: %d", other.StatusCode)
	}
}

// TestJWKSVerifiesIDToken fetches discovery, then the JWKS, and checks the
// id_token signature with the published key.
func TestJWKSVerifiesIDToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	disc := decode(t, e.do(http.MethodGet, "/.well-known/openid-configuration", nil, nil), http.StatusOK)
	if disc["issuer"] != e.srv.URL || disc["introspection_endpoint"] != e.srv.URL+"/services/oauth2/introspect" {
		t.Errorf("discovery = %v", disc)
	}
	resp, err := e.c.Get(disc["jwks_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct{ Keys []map[string]string }
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("jwks: %v %v", jwks, err)
	}
	k := jwks.Keys[0]
	x, _ := base64.RawURLEncoding.DecodeString(k["x"])
	y, _ := base64.RawURLEncoding.DecodeString(k["y"])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(e.tokens()["id_token"].(string), ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Error("id_token does not verify with the published JWKS")
	}
}
