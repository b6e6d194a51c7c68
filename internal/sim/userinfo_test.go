package sim

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func userinfoStatus(t *testing.T, e *env, tok string, want int) *http.Response {
	t.Helper()
	resp := e.do(http.MethodGet, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer " + tok})
	if resp.StatusCode != want {
		t.Errorf("userinfo status = %d; want %d", resp.StatusCode, want)
	}
	return resp
}

func wantBadToken(t *testing.T, resp *http.Response) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || string(b) != "Bad_OAuth_Token" {
		t.Errorf("got %d %q; want 403 Bad_OAuth_Token", resp.StatusCode, b)
	}
}

func TestUserinfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	tok := e.tokens()["access_token"].(string)
	m := decode(t, userinfoStatus(t, e, tok, http.StatusOK), http.StatusOK)
	want := map[string]any{"preferred_username": testUser, "email": testUser, "given_name": "Alice",
		"family_name": "Liddell", "name": "Alice Liddell", "organization_id": OrgID, "active": true}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("userinfo %s = %v; want %v", k, m[k], v)
		}
	}
	for _, k := range []string{"sub", "user_id", "nickname", "email_verified", "zoneinfo", "photos", "profile", "picture",
		"address", "is_salesforce_integration_user", "urls", "user_type", "language", "locale", "utcOffset", "updated_at", "is_app_installed"} {
		if _, ok := m[k]; !ok {
			t.Errorf("userinfo lacks %q", k)
		}
	}
	post := e.do(http.MethodPost, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
	decode(t, post, http.StatusOK)
	wantBadToken(t, e.do(http.MethodGet, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer 00Dnope"}))
	none := e.do(http.MethodGet, "/services/oauth2/userinfo", nil, nil)
	if none.StatusCode != http.StatusForbidden {
		t.Errorf("no token: status %d; want 403", none.StatusCode)
	}
}

func TestUserinfoExpiry(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := baseConfig()
	cfg.Now, cfg.AccessTokenTTL = clk.Now, 30*time.Minute
	e := newEnv(t, cfg)
	tok := e.tokens()["access_token"].(string)
	clk.Add(29 * time.Minute)
	userinfoStatus(t, e, tok, http.StatusOK)
	clk.Add(time.Minute)
	wantBadToken(t, e.do(http.MethodGet, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer " + tok}))
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	m := e.tokens()
	at, rt := m["access_token"].(string), m["refresh_token"].(string)
	resp := e.do(http.MethodPost, "/services/oauth2/revoke", url.Values{"token": {at}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke access token: %d", resp.StatusCode)
	}
	wantBadToken(t, e.do(http.MethodGet, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer " + at}))
	wantError(t, e.do(http.MethodPost, "/services/oauth2/revoke", url.Values{"token": {at}}, nil), "invalid_token", "")

	n := decode(t, e.refresh(rt, nil), http.StatusOK)
	at2 := n["access_token"].(string)
	resp = e.do(http.MethodGet, "/services/oauth2/revoke", url.Values{"token": {rt}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET revoke refresh token: %d", resp.StatusCode)
	}
	wantBadToken(t, e.do(http.MethodGet, "/services/oauth2/userinfo", nil, map[string]string{"Authorization": "Bearer " + at2}))
	wantError(t, e.refresh(rt, nil), "invalid_grant", "expired access/refresh token")
	wantError(t, e.do(http.MethodPost, "/services/oauth2/revoke", url.Values{"token": {"nope"}}, nil), "invalid_token", "")
	wantError(t, e.do(http.MethodPost, "/services/oauth2/revoke", url.Values{}, nil), "unsupported_token_type", "")
}
