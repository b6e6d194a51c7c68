package flow

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// initSite answers every request with status and body, recording the last
// request's path, headers and JSON body.
type initSite struct {
	status int
	ctype  string
	answer string
	path   string
	header http.Header
	body   map[string]any
}

func (s *initSite) start(t *testing.T) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.path, s.header = r.URL.Path, r.Header.Clone()
		b, _ := io.ReadAll(r.Body)
		s.body = nil
		json.Unmarshal(b, &s.body)
		ct := s.ctype
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		st := s.status
		if st == 0 {
			st = http.StatusOK
		}
		w.WriteHeader(st)
		io.WriteString(w, s.answer)
	}))
	t.Cleanup(srv.Close)
	site, err := ParseSite(srv.URL + "/shop")
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: srv.Client(), Site: site, ClientID: "cid"}
}

func TestInitPasswordlessWire(t *testing.T) {
	t.Parallel()
	s := &initSite{answer: `{"identifier":"ID-1","status":"success"}`}
	c := s.start(t)
	ctx := context.Background()
	ch, err := c.InitPasswordless(ctx, PasswordlessInit{Username: "u@example.com", Method: MethodSMS,
		Auth: InitAuth{Recaptcha: "rc", Token: "itok", EmailTemplate: "tpl"}})
	if err != nil {
		t.Fatal(err)
	}
	if *ch != (Challenge{Identifier: "ID-1", Method: MethodSMS}) {
		t.Errorf("challenge = %+v", ch)
	}
	if s.path != "/shop"+PathInitPasswordless {
		t.Errorf("path = %s", s.path)
	}
	want := map[string]any{"username": "u@example.com", "verificationmethod": "sms", "recaptcha": "rc", "emailtemplate": "tpl"}
	if !sameJSON(s.body, want) {
		t.Errorf("body = %v; want %v", s.body, want)
	}
	if got := s.header.Get("Authorization"); got != "Bearer itok" {
		t.Errorf("Authorization = %q", got)
	}
	if ct := s.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}

	// A login hint and the Enterprise reCAPTCHA form; no token, no header.
	ev := &RecaptchaEvent{Token: "t", SiteKey: "k", ExpectedAction: "login", ProjectID: "p"}
	if _, err := c.InitPasswordless(ctx, PasswordlessInit{LoginHint: "+1555", Method: MethodEmail, Auth: InitAuth{RecaptchaEvent: ev}}); err != nil {
		t.Fatal(err)
	}
	want = map[string]any{"login_hint": "+1555", "verificationmethod": "email",
		"recaptchaevent": map[string]any{"token": "t", "siteKey": "k", "expectedAction": "login", "projectId": "p"}}
	if !sameJSON(s.body, want) || s.header.Get("Authorization") != "" {
		t.Errorf("body = %v (Authorization %q); want %v", s.body, s.header.Get("Authorization"), want)
	}
}

func TestInitRegistrationWire(t *testing.T) {
	t.Parallel()
	s := &initSite{answer: `{"status":"success","email":"n@example.com","identifier":"dg3o"}`}
	c := s.start(t)
	ch, err := c.InitRegistration(context.Background(), Registration{Username: "n@example.com.site", Email: "n@example.com",
		FirstName: "N", LastName: "Ew", Password: "Pw-1", Method: MethodEmail,
		Custom: map[string]any{"privacyPolicy": true, "zip": "20537"}, Auth: InitAuth{Recaptcha: "rc"}})
	if err != nil || ch.Identifier != "dg3o" || ch.Method != MethodEmail {
		t.Fatalf("InitRegistration = %+v, %v", ch, err)
	}
	// protocol.md TV4.
	want := map[string]any{
		"userdata":   map[string]any{"firstName": "N", "lastName": "Ew", "email": "n@example.com", "username": "n@example.com.site"},
		"customdata": map[string]any{"privacyPolicy": true, "zip": "20537"},
		"password":   "Pw-1", "recaptcha": "rc", "verificationmethod": "email"}
	if !sameJSON(s.body, want) || s.path != "/shop"+PathInitRegistration {
		t.Errorf("%s body = %v; want %v", s.path, s.body, want)
	}
}

func TestForgotPasswordWire(t *testing.T) {
	t.Parallel()
	s := &initSite{answer: `{"status_code":"otp_sent"}`}
	c := s.start(t)
	ctx := context.Background()
	if err := c.ForgotPassword(ctx, "u", InitAuth{Recaptcha: "rc", Token: "itok"}); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(s.body, map[string]any{"username": "u", "recaptcha": "rc"}) || s.path != "/shop"+PathForgotPassword {
		t.Errorf("init %s body = %v", s.path, s.body)
	}
	s.answer = `{"status_code":"success"}`
	if err := c.ChangePassword(ctx, "u", "123456", "New-pw-1", InitAuth{Recaptcha: "rc", Token: "itok"}); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(s.body, map[string]any{"username": "u", "otp": "123456", "newpassword": "New-pw-1"}) {
		t.Errorf("change body = %v", s.body)
	}
	if s.header.Get("Authorization") != "Bearer itok" {
		t.Errorf("change lost the Bearer token")
	}
	s.answer = `{"status_code":"invalid_otp"}`
	if err := c.ChangePassword(ctx, "u", "1", "x", InitAuth{}); KindOf(err) != KindRejected {
		t.Errorf("status_code invalid_otp: %v (kind %v)", err, KindOf(err))
	}
}

func TestInitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		auth   InitAuth
		kind   Kind
		advice string
	}{
		{"recaptcha missing", 400, "", `{"error":"invalid_request","error_description":"reCAPTCHA is required"}`, InitAuth{}, KindSetup, "--recaptcha"},
		{"recaptcha invalid", 400, "", `{"error":"invalid_recaptcha","error_description":"invalid"}`, InitAuth{Recaptcha: "x"}, KindSetup, "fresh token"},
		{"auth missing 401", 401, "", `{"error":"unauthorized","error_description":"authentication required"}`, InitAuth{}, KindSetup, "SFECHO_INIT_TOKEN"},
		{"auth refused", 401, "text/plain", `Unauthorized`, InitAuth{Token: "t"}, KindSetup, "pwdless_login_api"},
		{"rest array", 401, "", `[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]`, InitAuth{}, KindSetup, "SFECHO_INIT_TOKEN"},
		{"disabled", 400, "", `{"error":"invalid_request","error_description":"passwordless login is not enabled for this site"}`, InitAuth{}, KindSetup, "Headless Identity Configuration"},
		{"disabled message", 403, "", `{"message":"This feature is disabled"}`, InitAuth{}, KindSetup, "Headless Identity Configuration"},
		{"duplicate", 400, "", `{"error":"DUPLICATE_USERNAME","error_description":"Duplicate Username."}`, InitAuth{}, KindRejected, "--username"},
		{"weak password", 400, "", `{"error":"invalid_password","error_description":"Your password must meet the password policy"}`, InitAuth{}, KindRejected, "password policy"},
		{"sim weak password", 400, "", `{"error":"registration_error","error_description":"INVALID_NEW_PASSWORD: Your password must be at least 8 characters long"}`, InitAuth{}, KindRejected, "password policy"},
		{"sms without phone", 400, "", `{"error":"invalid_request","error_description":"a mobilePhone is required for sms verification"}`, InitAuth{}, KindRejected, "mobilePhone"},
		{"template", 400, "", `{"error":"invalid_request","error_description":"emailtemplate not allowed"}`, InitAuth{}, KindSetup, "email templates"},
		{"404 html", 404, "text/html", `<html>not found</html>`, InitAuth{}, KindSetup, "site prefix"},
		{"500", 500, "text/html", `<html>oops</html>`, InitAuth{}, KindNetwork, "retry"},
		{"unknown", 400, "", `{"error":"weird","error_description":"???"}`, InitAuth{}, KindUnexpected, "-v"},
		{"200 with error", 200, "", `{"error":"invalid_request","error_description":"recaptcha failed"}`, InitAuth{Recaptcha: "x"}, KindSetup, "fresh token"},
		{"200 without identifier", 200, "", `{"status":"success"}`, InitAuth{}, KindUnexpected, "identifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &initSite{status: tc.status, ctype: tc.ctype, answer: tc.body}
			c := s.start(t)
			_, err := c.InitPasswordless(context.Background(), PasswordlessInit{Username: "u", Method: MethodEmail, Auth: tc.auth})
			if KindOf(err) != tc.kind || !strings.Contains(AdviceOf(err), tc.advice) {
				t.Errorf("err = %v; kind %v advice %q; want kind %v advice containing %q", err, KindOf(err), AdviceOf(err), tc.kind, tc.advice)
			}
			if err != nil && (strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), OpInitPasswordless)) {
				t.Errorf("message %q is not one line starting with the step", err)
			}
		})
	}
}

func TestOTPAuthorizeClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, desc string
		kind       Kind
		advice     string
	}{
		{"invalid_grant", "authentication failure", KindRejected, adviceOTP},
		{"invalid_grant", "expired identifier", KindRejected, adviceOTP},
		{"invalid_otp", "", KindRejected, adviceOTP},
		{"invalid_grant", "too many attempts", KindRejected, adviceOTPAttempts},
		{"invalid_request", "Auth-Verification-Type does not match the verification method", KindRejected, adviceVerificationType},
		{"registration_error", "DUPLICATE_USERNAME: Duplicate Username", KindRejected, adviceDuplicateUser},
		{"invalid_client_id", "client identifier invalid", KindSetup, adviceClientID},
	}
	for _, tc := range tests {
		k, adv := classifyOAuth(OpAuthorizeOTP, tc.code, tc.desc)
		if k != tc.kind || adv != tc.advice {
			t.Errorf("classifyOAuth(%q, %q) = %v, %q; want %v, %q", tc.code, tc.desc, k, adv, tc.kind, tc.advice)
		}
	}
}

func TestGuestWire(t *testing.T) {
	t.Parallel()
	const id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	a, h := DefaultGuestWire().Guest(id)
	if a.RequestType != "guest" || a.Header.Get("Uvid-Hint") != "UVID "+id {
		t.Errorf("authorize = %+v", a)
	}
	if h.Get("Auth-Request-Type") != "guest" || h.Get("Uvid-Hint") != id {
		t.Errorf("token headers = %v", h)
	}
	w := GuestWire{RequestType: "Guest-X", Header: "X-Visitor", AuthorizePrefix: "", TokenPrefix: "UVID "}
	a, h = w.Guest(id)
	if a.Header.Get("X-Visitor") != id || h.Get("X-Visitor") != "UVID "+id || h.Get("Auth-Request-Type") != "Guest-X" {
		t.Errorf("overrides ignored: %v %v", a.Header, h)
	}
	// A named login: the plain UUID in uvid_hint only, by default; the JWT in
	// the header only (protocol.md §7, Q5: never both, never the prefix).
	var named Authorization
	DefaultGuestWire().Link(&named, id)
	if named.Form.Get("uvid_hint") != id || named.Header != nil {
		t.Errorf("Link = %+v; want uvid_hint=%s only", named, id)
	}
	header := DefaultGuestWire()
	header.HintInHeader = true
	named = Authorization{}
	header.Link(&named, id)
	if named.Header.Get("Uvid-Hint") != id || named.Form != nil {
		t.Errorf("Link in header = %+v", named)
	}
	named = Authorization{}
	DefaultGuestWire().LinkToken(&named, "eyJ.guest.jwt")
	if named.Header.Get("Uvid-Hint") != "eyJ.guest.jwt" || named.Form != nil {
		t.Errorf("LinkToken = %+v", named)
	}
}

func TestParseUVID(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"3f2504e0-4f89-41d3-9a0c-0305e82c3301":          true,
		" 3F2504E0-4F89-41D3-9A0C-0305E82C3301 ":        true,
		"3f2504e0-4f89-11d3-9a0c-0305e82c3301":          false, // version 1
		"3f2504e0-4f89-41d3-1a0c-0305e82c3301":          false, // NCS variant
		"3f2504e04f8941d39a0c0305e82c3301":              false, // no dashes
		"urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301": false,
		"":        false,
		"UVID xx": false,
	} {
		got, err := ParseUVID(in)
		if (err == nil) != ok {
			t.Errorf("ParseUVID(%q) = %q, %v; want ok=%v", in, got, err, ok)
		}
		if err != nil && KindOf(err) != KindUsage {
			t.Errorf("ParseUVID(%q) kind = %v; want usage", in, KindOf(err))
		}
	}
	if u, err := ParseUVID(NewUVID()); err != nil || len(u) != 36 {
		t.Errorf("NewUVID is not a v4 UUID: %q %v", u, err)
	}
}

func sameJSON(got map[string]any, want map[string]any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}
