package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEchoCORSAllowlist(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.CORSOrigins = []string{"https://app.example"}
	e := newEnv(t, cfg)
	tests := []struct {
		method, origin string
		status         int
		acao           string
	}{
		{http.MethodGet, "https://app.example", http.StatusOK, "https://app.example"},
		{http.MethodOptions, "https://app.example", http.StatusNoContent, "https://app.example"},
		{http.MethodGet, "https://evil.example", http.StatusForbidden, ""},
		{http.MethodOptions, "https://evil.example", http.StatusForbidden, ""},
		{http.MethodGet, "", http.StatusOK, "*"}, // not a browser: no CORS check
	}
	for _, tc := range tests {
		hdr := map[string]string{}
		if tc.origin != "" {
			hdr["Origin"] = tc.origin
		}
		resp := e.do(tc.method, "/services/oauth2/echo", nil, hdr)
		if resp.StatusCode != tc.status || resp.Header.Get("Access-Control-Allow-Origin") != tc.acao {
			t.Errorf("%s Origin %q: %d ACAO %q; want %d %q", tc.method, tc.origin, resp.StatusCode,
				resp.Header.Get("Access-Control-Allow-Origin"), tc.status, tc.acao)
		}
	}
	// Discovery keeps CORS on for every origin.
	resp := e.do(http.MethodGet, "/.well-known/openid-configuration", nil, map[string]string{"Origin": "https://evil.example"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://evil.example" {
		t.Errorf("discovery: %d ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestDateHeaderFollowsClock(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	cfg.Now = func() time.Time { return at }
	e := newEnv(t, cfg)
	resp := e.do(http.MethodGet, "/services/oauth2/echo", nil, nil)
	if got := resp.Header.Get("Date"); got != "Tue, 06 May 2031 07:08:09 GMT" {
		t.Errorf("Date = %q", got)
	}
}

func TestCounters(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.Passwordless = Flow{Enabled: true}
	cfg.Registration = Flow{Enabled: true}
	e := newEnv(t, cfg)
	// A wrong password for a member counts; an unknown username does not.
	wantError(t, e.authorize(e.authForm(), named(testUser, "wrong")), "invalid_grant", "authentication failure")
	wantError(t, e.authorize(e.authForm(), named("nobody@example.invalid", "x")), "invalid_grant", "authentication failure")
	if n := e.site.FailedLogins(); n != 1 {
		t.Errorf("FailedLogins = %d; want 1", n)
	}
	// Passwordless for an unknown user sends nothing; for alice one OTP.
	initPL := func(user string) {
		body, _ := json.Marshal(map[string]string{"username": user, "verificationmethod": "email"})
		resp, err := e.c.Post(e.base+"/services/auth/headless/init/passwordless/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	initPL("nobody@example.invalid")
	if n := e.site.OTPsSent(); n != 0 {
		t.Errorf("OTPsSent after an unknown user = %d; want 0", n)
	}
	initPL(testUser)
	if n := e.site.OTPsSent(); n != 1 {
		t.Errorf("OTPsSent = %d; want 1", n)
	}
	// Registration: init sends an OTP, authorize creates the user.
	reg := `{"userdata":{"email":"new@example.com","lastName":"New"},"password":"New-Passw0rd","verificationmethod":"email"}`
	resp, err := e.c.Post(e.base+"/services/auth/headless/init/registration", "application/json", strings.NewReader(reg))
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, resp, http.StatusOK)
	id, _ := m["identifier"].(string)
	otp, _ := e.site.LastOTP(id)
	codeFrom(t, e.authorize(e.authForm(), map[string]string{"Auth-Request-Type": "user-registration",
		"Auth-Verification-Type": "email", "Authorization": basic(id, otp)}))
	if e.site.OTPsSent() != 2 || e.site.UsersCreated() != 1 {
		t.Errorf("OTPsSent = %d, UsersCreated = %d; want 2, 1", e.site.OTPsSent(), e.site.UsersCreated())
	}
}
