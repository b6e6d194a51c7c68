package flow_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

const (
	sessClient = "3MVG9session.test"
	sessUser   = "bob@example.com"
	sessPass   = "Bob-Passw0rd!"
)

// sessionSite is a simulated site; Grants("refresh_token") counts refreshes.
type sessionSite struct{ *simtest.Site }

func startSessionSite(t *testing.T, mod func(*sim.Config)) *sessionSite {
	t.Helper()
	cfg := sim.Config{ClientID: sessClient, Users: []sim.User{{Username: sessUser, Password: sessPass}}}
	if mod != nil {
		mod(&cfg)
	}
	return &sessionSite{simtest.Start(t, cfg)}
}

func (ss *sessionSite) client(t *testing.T, secret string) *flow.Client {
	t.Helper()
	site, err := flow.ParseSite(ss.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, Site: site, ClientID: sessClient,
		ClientSecret: secret, Scope: "api refresh_token"}
}

// login returns a fresh token response for the test user.
func (ss *sessionSite) login(t *testing.T, c *flow.Client) *flow.Token {
	t.Helper()
	tok, err := c.Login(t.Context(), flow.Authorization{User: sessUser, Secret: sessPass}, nil)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("login gave no refresh token")
	}
	return tok
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rotate bool
		secret string
	}{
		{"public, no rotation", false, ""},
		{"public, rotation", true, ""},
		{"private, rotation", true, "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ss := startSessionSite(t, func(c *sim.Config) { c.RotateRefreshTokens, c.ClientSecret = tt.rotate, tt.secret })
			c := ss.client(t, tt.secret)
			first := ss.login(t, c)
			got, err := c.Refresh(t.Context(), first.CommunityURL, first.RefreshToken)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if got.AccessToken == "" || got.AccessToken == first.AccessToken {
				t.Errorf("Refresh gave access token %q; want a new one", got.AccessToken)
			}
			if rotated := got.RefreshToken != "" && got.RefreshToken != first.RefreshToken; rotated != tt.rotate {
				t.Errorf("new refresh token = %v; want %v (rotation %v)", rotated, tt.rotate, tt.rotate)
			}
			if got.Fields["instance_url"] == nil || got.IssuedAt == "" {
				t.Errorf("Refresh lost Salesforce's fields: %s", got.Raw)
			}
			if _, err := c.Userinfo(t.Context(), first.CommunityURL, got.AccessToken); err != nil {
				t.Errorf("the refreshed access token does not work: %v", err)
			}
		})
	}
}

func TestRefreshRejected(t *testing.T) {
	t.Parallel()
	ss := startSessionSite(t, func(c *sim.Config) { c.RotateRefreshTokens = true })
	c := ss.client(t, "")
	tok := ss.login(t, c)
	if _, err := c.Refresh(t.Context(), "", tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	// The rotated-away token is dead: reusing it must be "log in again".
	_, err := c.Refresh(t.Context(), "", tok.RefreshToken)
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Kind != flow.KindNoSession || fe.Code != "invalid_grant" {
		t.Fatalf("reusing a rotated refresh token = %#v; want KindNoSession invalid_grant", err)
	}
	if !strings.Contains(fe.Advice, "sfecho login") {
		t.Errorf("advice %q does not say sfecho login", fe.Advice)
	}
	if strings.Contains(err.Error(), tok.RefreshToken) {
		t.Error("the error holds the refresh token")
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	ss := startSessionSite(t, nil)
	c := ss.client(t, "")
	tok := ss.login(t, c)
	if err := c.Revoke(t.Context(), tok.CommunityURL, tok.RefreshToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if _, err := c.Refresh(t.Context(), "", tok.RefreshToken); flow.KindOf(err) != flow.KindNoSession {
		t.Errorf("Refresh after revoke = %v; want KindNoSession", err)
	}
	if _, err := c.Userinfo(t.Context(), "", tok.AccessToken); err == nil {
		t.Error("the access token still works after its refresh token was revoked")
	}
	err := c.Revoke(t.Context(), "", tok.RefreshToken)
	if !errors.Is(err, flow.ErrTokenInvalid) || flow.KindOf(err) != flow.KindRejected {
		t.Errorf("second Revoke = %v; want ErrTokenInvalid, KindRejected", err)
	}
}

func TestSessionTransportErrors(t *testing.T) {
	t.Parallel()
	ss := startSessionSite(t, nil)
	c := ss.client(t, "")
	ss.Fail(sim.EndpointToken, sim.Failure{Status: http.StatusServiceUnavailable, Times: 1})
	if _, err := c.Refresh(t.Context(), "", "whatever"); flow.KindOf(err) != flow.KindNetwork {
		t.Errorf("Refresh on 503 = %v; want KindNetwork", err)
	}
	if _, err := c.Refresh(t.Context(), "http://example.com", "x"); flow.KindOf(err) != flow.KindUsage {
		t.Errorf("Refresh to a plain-http non-loopback base = %v; want KindUsage", err)
	}
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		token string
		want  int64 // 0: not ok
	}{
		{enc(`{"alg":"RS256"}`) + "." + enc(`{"exp":1700000000,"sub":"x"}`) + ".sig", 1700000000},
		{"h." + enc(`{"exp":1700000000.5}`) + ".s", 1700000000},
		{"h." + enc(`{"sub":"x"}`) + ".s", 0},
		{"h." + enc(`{"exp":"soon"}`) + ".s", 0},
		{"00D5g000004x!AQ0AQH0dMHZ5", 0},
		{"a.b", 0},
		{"h.!!!.s", 0},
	}
	for _, tt := range tests {
		got, ok := flow.JWTExpiry(tt.token)
		if ok != (tt.want != 0) || (ok && got.Unix() != tt.want) {
			t.Errorf("JWTExpiry(%q) = %v, %v; want %d", tt.token, got, ok, tt.want)
		}
	}
}

// TestIntrospect runs against a handler that answers as RFC 7662 and
// protocol.md §9 describe, checking what the client sends.
func TestIntrospect(t *testing.T) {
	t.Parallel()
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/shop"+flow.PathIntrospect || r.ParseForm() != nil {
			http.NotFound(w, r)
			return
		}
		got = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"active":true,"scope":"api","client_id":"cid","username":"u","exp":1700007200,"iat":1700000000,"token_type":"access_token"}`))
	}))
	t.Cleanup(srv.Close)
	site, _ := flow.ParseSite(srv.URL + "/shop")
	c := &flow.Client{HTTP: srv.Client(), Site: site, ClientID: "cid", ClientSecret: "sec"}
	in, err := c.Introspect(context.Background(), "", "AT", "access_token")
	if err != nil {
		t.Fatalf("Introspect: %v", err)
	}
	if !in.Active || in.Expiry().Unix() != 1700007200 || in.Username != "u" {
		t.Errorf("Introspect = %+v", in)
	}
	want := url.Values{"token": {"AT"}, "token_type_hint": {"access_token"}, "client_id": {"cid"}, "client_secret": {"sec"}}
	if got.Encode() != want.Encode() {
		t.Errorf("sent %v; want %v", got, want)
	}
}
