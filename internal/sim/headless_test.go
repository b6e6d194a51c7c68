package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an Outbox safe to read while the site writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func headlessConfig() Config {
	cfg := baseConfig()
	cfg.Passwordless = Flow{Enabled: true}
	cfg.Registration = Flow{Enabled: true, RequireRecaptcha: true}
	cfg.ForgotPassword = Flow{Enabled: true, RequireRecaptcha: true}
	cfg.Guest, cfg.Discovery = true, true
	return cfg
}

func (e *env) postJSON(path string, body any, hdr map[string]string) *http.Response {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const (
	pathPwdless  = "/services/auth/headless/init/passwordless/login"
	pathRegister = "/services/auth/headless/init/registration"
	pathForgot   = "/services/auth/headless/forgot_password"
)

func otpHeaders(kind, method, id, otp string) map[string]string {
	return map[string]string{"Auth-Request-Type": kind, "Auth-Verification-Type": method,
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+otp))}
}

func (e *env) initPasswordless(body map[string]any) string {
	e.t.Helper()
	m := decode(e.t, e.postJSON(pathPwdless, body, nil), http.StatusOK)
	if m["status"] != "success" || m["identifier"] == "" {
		e.t.Fatalf("passwordless init = %v", m)
	}
	return m["identifier"].(string)
}

func TestPasswordlessLogin(t *testing.T) {
	t.Parallel()
	cfg := headlessConfig()
	out := &syncBuffer{}
	cfg.Outbox = out
	e := newEnv(t, cfg)
	id := e.initPasswordless(map[string]any{"username": testUser, "verificationmethod": "email"})
	otp, ok := e.site.LastOTP(id)
	if byUser, _ := e.site.LastOTP("ALICE@example.com"); !ok || len(otp) != 6 || byUser != otp {
		t.Fatalf("LastOTP(identifier) = %q, %v; by username %q", otp, ok, byUser)
	}
	if line := out.String(); !strings.Contains(line, "otp="+otp) || !strings.Contains(line, "identifier="+id) ||
		strings.Count(line, "\n") != 1 {
		t.Errorf("outbox = %q", line)
	}
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "sms", id, otp)), "invalid_request", "")
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, "000000x")), "invalid_grant", "invalid one-time password")
	code := codeFrom(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, otp)))
	m := decode(t, e.exchange(code, nil), http.StatusOK)
	u := decode(t, userinfoStatus(t, e, m["access_token"].(string), http.StatusOK), http.StatusOK)
	if u["preferred_username"] != testUser {
		t.Errorf("passwordless user = %v", u["preferred_username"])
	}
	// Single use.
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, otp)), "invalid_grant", "invalid or expired identifier")
}

func TestPasswordlessAttemptsAndExpiry(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := headlessConfig()
	cfg.Now = clk.Now
	e := newEnv(t, cfg)
	id := e.initPasswordless(map[string]any{"username": testUser, "verificationmethod": "email"})
	otp, _ := e.site.LastOTP(id)
	for i := 0; i < DefaultMaxOTPAttempts; i++ {
		wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, "wrong")), "invalid_grant", "")
	}
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, otp)), "invalid_grant", "")

	id = e.initPasswordless(map[string]any{"username": testUser, "verificationmethod": "email"})
	otp, _ = e.site.LastOTP(id)
	clk.Add(DefaultOTPTTL)
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, otp)), "invalid_grant", "invalid or expired identifier")
}

func TestPasswordlessDiscoveryAndUnknown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	id := e.initPasswordless(map[string]any{"login_hint": "+1 (555) 0100", "verificationmethod": "sms"})
	otp, ok := e.site.LastOTP(id)
	if !ok {
		t.Fatal("no OTP for a login_hint phone number")
	}
	codeFrom(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "SMS", id, otp)))

	id = e.initPasswordless(map[string]any{"username": "nobody@example.com", "verificationmethod": "email"})
	if _, ok := e.site.LastOTP(id); ok {
		t.Error("an OTP was sent for an unknown user")
	}
	wantError(t, e.authorize(e.authForm(), otpHeaders("passwordless-login", "email", id, "123456")), "invalid_grant", "")
}

func TestInitSettings(t *testing.T) {
	t.Parallel()
	off := baseConfig()
	captcha := headlessConfig()
	captcha.Passwordless.RequireRecaptcha = true
	auth := headlessConfig()
	auth.Passwordless = Flow{Enabled: true, RequireAuth: true, AuthToken: "integration-tok"}
	auth.EmailTemplates = []string{"OTPTemplate"}
	body := map[string]any{"username": testUser, "verificationmethod": "email"}
	tests := []struct {
		name   string
		cfg    Config
		body   map[string]any
		hdr    map[string]string
		status int
		desc   string
	}{
		{"disabled", off, body, nil, 400, "headless passwordless login is not enabled for this site"},
		{"recaptcha missing", captcha, body, nil, 400, "recaptcha token required"},
		{"recaptcha bad", captcha, map[string]any{"username": testUser, "verificationmethod": "email", "recaptcha": BadRecaptcha}, nil, 400, "recaptcha verification failed"},
		{"recaptcha ok", captcha, map[string]any{"username": testUser, "verificationmethod": "email", "recaptcha": "tok"}, nil, 200, ""},
		{"recaptcha enterprise", captcha, map[string]any{"username": testUser, "verificationmethod": "email",
			"recaptchaevent": map[string]string{"token": "t", "siteKey": "k", "expectedAction": "login", "projectId": "p"}}, nil, 200, ""},
		{"auth missing", auth, body, nil, 401, ""},
		{"auth wrong", auth, body, map[string]string{"Authorization": "Bearer nope"}, 401, ""},
		{"template missing", auth, body, map[string]string{"Authorization": "Bearer integration-tok"}, 400, "emailtemplate is not allowlisted for this site"},
		{"auth ok", auth, map[string]any{"username": testUser, "verificationmethod": "email", "emailtemplate": "OTPTemplate"},
			map[string]string{"Authorization": "Bearer integration-tok"}, 200, ""},
		{"bad method", captcha, map[string]any{"username": testUser, "verificationmethod": "pigeon", "recaptcha": "t"}, nil, 400, "verificationmethod must be email or sms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.cfg)
			m := decode(t, e.postJSON(pathPwdless, tc.body, tc.hdr), tc.status)
			if tc.desc != "" && m["error_description"] != tc.desc {
				t.Errorf("error_description = %v; want %q", m["error_description"], tc.desc)
			}
		})
	}
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	body := map[string]any{
		"userdata":   map[string]string{"firstName": "Carol", "lastName": "Jones", "email": "carol@example.com", "username": "carol@example.com.site"},
		"customdata": map[string]any{"mobilePhone": "+12035408967", "privacyPolicy": true},
		"password":   "Carol-Passw0rd", "recaptcha": "tok", "verificationmethod": "email",
	}
	m := decode(t, e.postJSON(pathRegister, body, nil), http.StatusOK)
	if m["status"] != "success" || m["email"] != "carol@example.com" || m["identifier"] == "" {
		t.Fatalf("registration init = %v", m)
	}
	id := m["identifier"].(string)
	if _, ok := e.site.User("carol@example.com.site"); ok {
		t.Error("user created before authorize")
	}
	otp, _ := e.site.LastOTP(id)
	code := codeFrom(t, e.authorize(with(e.authForm(), "scope", ""), otpHeaders("user-registration", "email", id, otp)))
	decode(t, e.exchange(code, nil), http.StatusOK)
	if u, ok := e.site.User("carol@example.com.site"); !ok || u.Phone != "+12035408967" {
		t.Errorf("registered user = %+v, %v", u, ok)
	}
	// Now a named user.
	codeFrom(t, e.authorize(e.authForm(), named("carol@example.com.site", "Carol-Passw0rd")))
	wantError(t, e.postJSON(pathRegister, body, nil), "registration_error", duplicateUsername)
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	ud := map[string]string{"lastName": "Jones", "email": "dan@example.com"}
	tests := []struct {
		name string
		body map[string]any
		code string
	}{
		{"weak password", map[string]any{"userdata": ud, "password": "short", "recaptcha": "t", "verificationmethod": "email"}, "registration_error"},
		{"no recaptcha", map[string]any{"userdata": ud, "password": "Dan-Passw0rd", "verificationmethod": "email"}, "invalid_request"},
		{"no email", map[string]any{"userdata": map[string]string{"lastName": "J"}, "password": "Dan-Passw0rd", "recaptcha": "t", "verificationmethod": "email"}, "invalid_request"},
		{"sms without phone", map[string]any{"userdata": ud, "password": "Dan-Passw0rd", "recaptcha": "t", "verificationmethod": "sms"}, "invalid_request"},
		{"duplicate", map[string]any{"userdata": map[string]string{"lastName": "L", "email": testUser}, "password": "Dan-Passw0rd", "recaptcha": "t", "verificationmethod": "email"}, "registration_error"},
	}
	for _, tc := range tests {
		wantError(t, e.postJSON(pathRegister, tc.body, nil), tc.code, "")
	}
	// The old iOS SDK's shape put the password inside userdata: the server
	// ignores it there (protocol.md §5), so the password is missing.
	ios := map[string]any{"userdata": map[string]string{"lastName": "Jones", "email": "dan@example.com", "password": "Dan-Passw0rd"},
		"recaptcha": "t", "verificationMethod": "email"}
	wantError(t, e.postJSON(pathRegister, ios, nil), "invalid_request", "missing password")
}

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	for _, user := range []string{"nobody@example.com", testUser} {
		m := decode(t, e.postJSON(pathForgot, map[string]any{"username": user, "recaptcha": "t"}, nil), http.StatusOK)
		if m["status_code"] != "otp_sent" {
			t.Errorf("init for %s = %v", user, m)
		}
	}
	if _, ok := e.site.LastOTP("nobody@example.com"); ok {
		t.Error("OTP sent to an unknown user")
	}
	otp, ok := e.site.LastOTP(testUser)
	if !ok {
		t.Fatal("no OTP for alice")
	}
	change := func(user, otp, pw string) *http.Response {
		return e.postJSON(pathForgot, map[string]any{"username": user, "otp": otp, "newpassword": pw, "recaptcha": nil}, nil)
	}
	unknown := decode(t, change("nobody@example.com", "123456", "New-Passw0rd"), http.StatusBadRequest)
	wrong := decode(t, change(testUser, "wrong", "New-Passw0rd"), http.StatusBadRequest)
	if unknown["error_description"] != wrong["error_description"] {
		t.Errorf("unknown user %v and wrong OTP %v answer differently", unknown, wrong)
	}
	wantError(t, change(testUser, otp, "weak"), "invalid_request", weakPassword)
	m := decode(t, change(testUser, otp, "New-Passw0rd1"), http.StatusOK)
	if m["status_code"] != "success" {
		t.Errorf("change = %v", m)
	}
	codeFrom(t, e.authorize(e.authForm(), named(testUser, "New-Passw0rd1")))
	wantError(t, change(testUser, otp, "Other-Passw0rd1"), "invalid_grant", "") // spent
}

func TestForgotPasswordMaxAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	decode(t, e.postJSON(pathForgot, map[string]any{"username": testUser, "recaptcha": "t"}, nil), http.StatusOK)
	otp, _ := e.site.LastOTP(testUser)
	for i := 0; i < 5; i++ {
		wantError(t, e.postJSON(pathForgot, map[string]any{"username": testUser, "otp": "x", "newpassword": "New-Passw0rd1"}, nil), "invalid_grant", "")
	}
	wantError(t, e.postJSON(pathForgot, map[string]any{"username": testUser, "otp": otp, "newpassword": "New-Passw0rd1"}, nil), "invalid_grant", "")
	wantError(t, e.postJSON(pathForgot, map[string]any{"username": testUser}, nil), "invalid_request", "recaptcha token required")
}

const testUVID = "3f2b8c1e-6d4a-4b7e-9c21-5a6f7e8d9c0b"

func guestHeaders(hint string) map[string]string {
	return map[string]string{"Auth-Request-Type": "guest", "Uvid-Hint": hint}
}

func (e *env) guestToken() map[string]any {
	e.t.Helper()
	code := codeFrom(e.t, e.authorize(with(e.authForm(), "scope", "api"), guestHeaders("UVID "+testUVID)))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testClient},
		"redirect_uri": {e.echoURL()}, "code_verifier": {verifier}}
	return decode(e.t, e.do(http.MethodPost, "/services/oauth2/token", f, guestHeaders(testUVID)), http.StatusOK)
}

func TestGuest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, headlessConfig())
	m := e.guestToken()
	if m["token_format"] != "jwt" || strings.Count(m["access_token"].(string), ".") != 2 || m["id_token"] != nil {
		t.Errorf("guest token = %v", m)
	}
	u := decode(t, userinfoStatus(t, e, m["access_token"].(string), http.StatusOK), http.StatusOK)
	if u["user_type"] != "GUEST" || u["uvid"] != testUVID {
		t.Errorf("guest userinfo = %v", u)
	}
	for _, hint := range []string{"", testUVID, "UVID not-a-uuid", "UVID 3f2b8c1e-6d4a-1b7e-9c21-5a6f7e8d9c0b", "JWT eyJnope"} {
		wantError(t, e.authorize(e.authForm(), guestHeaders(hint)), "invalid_request", "uvid invalid")
	}
	code := codeFrom(t, e.authorize(e.authForm(), guestHeaders("UVID "+testUVID)))
	wantError(t, e.exchange(code, nil), "unknown_error", "")
	code = codeFrom(t, e.authorize(e.authForm(), guestHeaders("UVID "+testUVID)))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testClient},
		"redirect_uri": {e.echoURL()}, "code_verifier": {verifier}}
	wantError(t, e.do(http.MethodPost, "/services/oauth2/token", f, guestHeaders("UVID "+testUVID)), "invalid_request", "uvid invalid")

	off := newEnv(t, baseConfig())
	wantError(t, off.authorize(off.authForm(), guestHeaders("UVID "+testUVID)), "invalid_request", "guest flow not enabled")
}

func TestNamedUserLinksUVID(t *testing.T) {
	t.Parallel()
	cfg := headlessConfig()
	cfg.JWTAccessTokens = true
	e := newEnv(t, cfg)
	guest := e.guestToken()["access_token"].(string)
	hdr := named(testUser, testPass)
	hdr["Uvid-Hint"] = guest
	for name, resp := range map[string]*http.Response{
		"header JWT": e.authorize(e.authForm(), hdr),
		"body UVID":  e.authorize(with(e.authForm(), "uvid_hint", testUVID), named(testUser, testPass)),
	} {
		m := decode(t, e.exchange(codeFrom(t, resp), nil), http.StatusOK)
		if m["token_format"] != "jwt" {
			t.Errorf("%s: token_format %v", name, m["token_format"])
		}
		u := decode(t, userinfoStatus(t, e, m["access_token"].(string), http.StatusOK), http.StatusOK)
		if u["uvid"] != testUVID || u["preferred_username"] != testUser {
			t.Errorf("%s: userinfo uvid %v user %v", name, u["uvid"], u["preferred_username"])
		}
	}
	// Never both, never the guest authorize's prefix, never a UUID in the
	// header or a JWT in the body (protocol.md §7, Question 5).
	for name, tc := range map[string]struct{ body, header string }{
		"both":            {testUVID, guest},
		"prefixed body":   {"UVID " + testUVID, ""},
		"prefixed header": {"", "UVID " + testUVID},
		"JWT prefix":      {"", "JWT " + guest},
		"UUID in header":  {"", testUVID},
		"JWT in body":     {guest, ""},
		"garbage":         {"nope", ""},
	} {
		h := named(testUser, testPass)
		if tc.header != "" {
			h["Uvid-Hint"] = tc.header
		}
		form := e.authForm()
		if tc.body != "" {
			form = with(form, "uvid_hint", tc.body)
		}
		t.Run(name, func(t *testing.T) { wantError(t, e.authorize(form, h), "invalid_request", "uvid invalid") })
	}
}
