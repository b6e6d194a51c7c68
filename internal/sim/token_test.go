package sim

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTokenResponseShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	before := time.Now().UnixMilli()
	m := e.tokens()
	for _, k := range []string{"access_token", "refresh_token", "sfdc_community_url", "sfdc_community_id",
		"token_format", "scope", "id_token", "instance_url", "id", "token_type", "issued_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("token response lacks %q", k)
		}
	}
	if _, ok := m["expires_in"]; ok {
		t.Error("token response has expires_in")
	}
	// A public client gets a signature too (TV3), keyed with a secret it
	// does not hold.
	if sig, _ := m["signature"].(string); sig == "" || sig == Signature("", m["id"].(string), m["issued_at"].(string)) {
		t.Errorf("public client signature = %q", sig)
	}
	if !regexp.MustCompile(`^00D[A-Za-z0-9]{12}!AQ[A-Za-z0-9._]+$`).MatchString(m["access_token"].(string)) {
		t.Errorf("access_token %q does not look like a session ID", m["access_token"])
	}
	issued, ok := m["issued_at"].(string)
	if ms, err := strconv.ParseInt(issued, 10, 64); !ok || err != nil || ms < before {
		t.Errorf("issued_at = %#v; want epoch ms as a string", m["issued_at"])
	}
	if m["token_type"] != "Bearer" || m["token_format"] != "opaque" || m["sfdc_community_id"] != CommunityID {
		t.Errorf("token_type/format/community id = %v %v %v", m["token_type"], m["token_format"], m["sfdc_community_id"])
	}
	if m["scope"] != "api refresh_token openid web" {
		t.Errorf("scope = %q; want every app scope", m["scope"])
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(e.srv.URL) + `/id/00D\w{15}/005\w{15}$`).MatchString(m["id"].(string)) {
		t.Errorf("id = %q", m["id"])
	}
	checkIDToken(t, e, m["id_token"].(string))
}

// checkIDToken verifies the ES256 signature with the site's key and the
// basic claims.
func checkIDToken(t *testing.T, e *env, tok string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d parts", len(parts))
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(&e.site.key.PublicKey, sum[:], r, s) {
		t.Error("id_token signature does not verify")
	}
	body, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	if c["aud"] != testClient || c["preferred_username"] != testUser || c["iss"] != e.srv.URL {
		t.Errorf("id_token claims %v", c)
	}
}

func TestTokenScopeSubset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	code := codeFrom(t, e.authorize(with(e.authForm(), "scope", "api"), named(testUser, testPass)))
	m := decode(t, e.exchange(code, nil), http.StatusOK)
	if m["scope"] != "api" || m["refresh_token"] != nil || m["id_token"] != nil {
		t.Errorf("scope api: got scope %v refresh %v id_token %v", m["scope"], m["refresh_token"] != nil, m["id_token"] != nil)
	}
}

func TestTokenPrivateClient(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.ClientSecret = "s3cret"
	e := newEnv(t, cfg)
	m := decode(t, e.exchange(e.code(), url.Values{"client_secret": {"s3cret"}}), http.StatusOK)
	if want := Signature("s3cret", m["id"].(string), m["issued_at"].(string)); m["signature"] != want {
		t.Errorf("signature = %v; want %v", m["signature"], want)
	}
	wantError(t, e.exchange(e.code(), nil), "invalid_client", "invalid client credentials")
	wantError(t, e.exchange(e.code(), url.Values{"client_secret": {"wrong"}}), "invalid_client", "invalid client credentials")
}

func TestSignatureVector(t *testing.T) {
	t.Parallel()
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style check value.
	got := Signature("key", "The quick brown fox jumps over the lazy ", "dog")
	if got != "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=" {
		t.Errorf("Signature = %s", got)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	tests := []struct {
		name       string
		extra      url.Values
		code, desc string
	}{
		{"public client sends secret", url.Values{"client_secret": {"x"}}, "invalid_client", "invalid client credentials"},
		{"wrong client", url.Values{"client_id": {"other"}}, "invalid_client_id", "client identifier invalid"},
		{"wrong verifier", url.Values{"code_verifier": {strings.Repeat("a", 43)}}, "invalid_grant", "invalid code verifier"},
		{"missing verifier", url.Values{"code_verifier": {""}}, "invalid_grant", "invalid code verifier"},
		{"redirect differs", url.Values{"redirect_uri": {"https://x.example/cb"}}, "redirect_uri_mismatch", ""},
		{"unknown code", url.Values{"code": {"aPrxnope=="}}, "invalid_grant", "expired authorization code"},
	}
	for _, tc := range tests {
		code := e.code()
		if c := tc.extra.Get("code"); c != "" {
			code = c
		}
		wantError(t, e.exchange(code, tc.extra), tc.code, tc.desc)
	}
	get := e.do(http.MethodGet, "/services/oauth2/token", url.Values{"grant_type": {"authorization_code"}}, nil)
	wantError(t, get, "unsupported_grant_type", "grant type not supported")
	bad := e.do(http.MethodPost, "/services/oauth2/token", url.Values{"grant_type": {"password"}}, nil)
	wantError(t, bad, "unsupported_grant_type", "grant type not supported")
}

func TestCodeSingleUseAndExpiry(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := baseConfig()
	cfg.Now = clk.Now
	e := newEnv(t, cfg)
	code := e.code()
	decode(t, e.exchange(code, nil), http.StatusOK)
	wantError(t, e.exchange(code, nil), "invalid_grant", "expired authorization code")

	code = e.code()
	clk.Add(DefaultCodeTTL)
	wantError(t, e.exchange(code, nil), "invalid_grant", "expired authorization code")

	code = e.code() // a failed attempt consumes the code too
	wantError(t, e.exchange(code, url.Values{"code_verifier": {strings.Repeat("b", 43)}}), "invalid_grant", "invalid code verifier")
	wantError(t, e.exchange(code, nil), "invalid_grant", "expired authorization code")
}

func (e *env) refresh(rt string, extra url.Values) *http.Response {
	e.t.Helper()
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testClient}}
	for k, v := range extra {
		f[k] = v
	}
	return e.do(http.MethodPost, "/services/oauth2/token", f, nil)
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	m := e.tokens()
	rt := m["refresh_token"].(string)
	n := decode(t, e.refresh(rt, nil), http.StatusOK)
	if n["access_token"] == m["access_token"] || n["refresh_token"] != nil {
		t.Errorf("refresh: new access token %v, refresh_token %v (want none without rotation)", n["access_token"] != m["access_token"], n["refresh_token"])
	}
	decode(t, e.refresh(rt, nil), http.StatusOK) // reusable without rotation
	wantError(t, e.refresh("5Aep861nope", nil), "invalid_grant", "expired access/refresh token")
	wantError(t, e.refresh(rt, url.Values{"client_secret": {"x"}}), "invalid_client", "")
}

func TestRefreshRotationReuse(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	rt1 := e.tokens()["refresh_token"].(string)
	m2 := decode(t, e.refresh(rt1, nil), http.StatusOK)
	rt2, _ := m2["refresh_token"].(string)
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("rotation: new refresh_token %q", rt2)
	}
	userinfoStatus(t, e, m2["access_token"].(string), http.StatusOK)
	wantError(t, e.refresh(rt1, nil), "invalid_grant", "expired access/refresh token")
	// Reuse revoked the family: the newest refresh and access tokens too.
	wantError(t, e.refresh(rt2, nil), "invalid_grant", "expired access/refresh token")
	userinfoStatus(t, e, m2["access_token"].(string), http.StatusForbidden)
}

func TestRefreshPrivateBasicAndInactive(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.ClientSecret = "s3cret"
	e := newEnv(t, cfg)
	m := decode(t, e.exchange(e.code(), url.Values{"client_secret": {"s3cret"}}), http.StatusOK)
	rt := m["refresh_token"].(string)
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	resp := e.do(http.MethodPost, "/services/oauth2/token", f, map[string]string{"Authorization": basic(testClient, "s3cret")})
	n := decode(t, resp, http.StatusOK)
	if n["signature"] != Signature("s3cret", n["id"].(string), n["issued_at"].(string)) {
		t.Error("refresh signature wrong")
	}
	wantError(t, e.refresh(rt, nil), "invalid_client", "invalid client credentials")
	e.site.SetUser(testUser, func(u *User) { u.Inactive = true })
	wantError(t, e.refresh(rt, url.Values{"client_secret": {"s3cret"}}), "invalid_grant", "authentication failure")
}
