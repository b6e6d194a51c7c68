package session

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

func TestMergeRaw(t *testing.T) {
	for _, tc := range []struct{ name, old, newer, want string }{
		{"overlay", `{"a":"1","b":"2"}`, `{"b":"3","c":"4"}`, `{"a":"1","b":"3","c":"4"}`},
		{"old not JSON", `garbage`, `{"b":"3"}`, `{"b":"3"}`},
		{"old null", `null`, `{"b":"3"}`, `{"b":"3"}`},
		{"old empty", ``, `{"b":"3"}`, `{"b":"3"}`},
		{"newer not an object", `{"a":"1"}`, `["x"]`, `["x"]`},
		{"newer null", `{"a":"1"}`, `null`, `null`},
	} {
		if got := string(mergeRaw(json.RawMessage(tc.old), json.RawMessage(tc.newer))); got != tc.want {
			t.Errorf("%s: mergeRaw = %s; want %s", tc.name, got, tc.want)
		}
	}
}

func TestIssuedAt(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("x", 3600))
	for _, tc := range []struct {
		issued string
		want   time.Time
	}{
		{"1667600739962", time.UnixMilli(1667600739962).UTC()},
		{"", now.UTC()},
		{"not a number", now.UTC()},
	} {
		if got := issuedAt(&flow.Token{IssuedAt: tc.issued}, now); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("issuedAt(%q) = %v; want %v in UTC", tc.issued, got, tc.want)
		}
	}
}

func jwtWithExp(exp int64) string {
	enc := base64.RawURLEncoding
	p, _ := json.Marshal(map[string]int64{"exp": exp})
	return enc.EncodeToString([]byte(`{"alg":"ES256"}`)) + "." + enc.EncodeToString(p) + ".sig"
}

func TestApplyToken(t *testing.T) {
	now := time.Now()
	old := &store.Session{AccessToken: "old", RefreshToken: "r1", CommunityURL: "https://c.example", IDURL: "https://id",
		Expiry: now.Add(time.Hour), ExpirySource: flow.ExpiryIntrospect,
		Token: json.RawMessage(`{"access_token":"old","refresh_token":"r1","id_token":"idt"}`)}
	// No rotation: the refresh token and the fields the answer lacks stay;
	// the expiry is unknown again.
	ns := ApplyToken(old, &flow.Token{AccessToken: "new", Raw: json.RawMessage(`{"access_token":"new"}`)}, now)
	if ns.RefreshToken != "r1" || ns.CommunityURL != "https://c.example" || ns.ExpirySource != "" || !ns.Expiry.IsZero() {
		t.Errorf("ApplyToken without rotation = %+v", ns)
	}
	var raw map[string]string
	if json.Unmarshal(ns.Token, &raw) != nil || raw["access_token"] != "new" || raw["id_token"] != "idt" {
		t.Errorf("merged token = %s", ns.Token)
	}
	if old.AccessToken != "old" {
		t.Error("ApplyToken changed its input")
	}
	// Rotation and a JWT: both replaced, expiry from exp.
	exp := now.Add(30 * time.Minute).Unix()
	ns = ApplyToken(old, &flow.Token{AccessToken: jwtWithExp(exp), RefreshToken: "r2", Raw: json.RawMessage(`{}`)}, now)
	if ns.RefreshToken != "r2" || ns.ExpirySource != flow.ExpiryJWT || ns.Expiry.Unix() != exp {
		t.Errorf("ApplyToken with rotation and a JWT = %+v", ns)
	}
}

func TestForgetTokens(t *testing.T) {
	s := &store.Session{AccessToken: "a", RefreshToken: "r", ExpirySource: "jwt",
		Token: json.RawMessage(`{"access_token":"a","refresh_token":"r","id_token":"i","instance_url":"u"}`)}
	ForgetTokens(s, true)
	if s.AccessToken != "" || s.RefreshToken != "r" || s.ExpirySource != "" || string(s.Token) != `{"id_token":"i","instance_url":"u","refresh_token":"r"}` {
		t.Errorf("access only: %+v %s", s, s.Token)
	}
	ForgetTokens(s, false)
	if !Revoked(s) || string(s.Token) != `{"instance_url":"u"}` {
		t.Errorf("all: %+v %s", s, s.Token)
	}
	bad := &store.Session{AccessToken: "a", Token: json.RawMessage(`not json`)}
	ForgetTokens(bad, false)
	if bad.AccessToken != "" || string(bad.Token) != `not json` {
		t.Errorf("a damaged token response: %+v", bad)
	}
}

func TestExpiryAndNeedsRefresh(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	m := &Manager{Now: func() time.Time { return now }, MinValid: 5 * time.Minute, Lifetime: time.Hour}
	for _, tc := range []struct {
		name  string
		s     store.Session
		want  bool
		src   string
		until time.Time
	}{
		{"known, plenty left", store.Session{AccessToken: "a", Expiry: now.Add(time.Hour), ExpirySource: "jwt"}, false, "jwt", now.Add(time.Hour)},
		{"known, too little left", store.Session{AccessToken: "a", Expiry: now.Add(4 * time.Minute), ExpirySource: "introspect"}, true, "introspect", now.Add(4 * time.Minute)},
		{"lifetime from issued_at", store.Session{AccessToken: "a", IssuedAt: now.Add(-30 * time.Minute)}, false, ExpiryLifetime, now.Add(30 * time.Minute)},
		{"lifetime from saved_at", store.Session{AccessToken: "a", SavedAt: now.Add(-58 * time.Minute)}, true, ExpiryLifetime, now.Add(2 * time.Minute)},
		{"no access token", store.Session{RefreshToken: "r", Expiry: now.Add(time.Hour), ExpirySource: "jwt"}, true, "jwt", now.Add(time.Hour)},
	} {
		until, src := m.Expiry(&tc.s)
		if got := m.NeedsRefresh(&tc.s); got != tc.want || src != tc.src || !until.Equal(tc.until) {
			t.Errorf("%s: NeedsRefresh %v, Expiry %v (%s); want %v, %v (%s)", tc.name, got, until, src, tc.want, tc.until, tc.src)
		}
	}
}
