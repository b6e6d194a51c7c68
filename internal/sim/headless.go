package sim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Error answers of the headless init endpoints. Salesforce documents none
// of them (protocol.md §4–§6, Questions 7; errors.md §I), so the site uses
// its OAuth error shape, 400 {"error","error_description"}, with words a
// client can match: "not enabled" (I3), "recaptcha" (I1), "emailtemplate"
// (I6), DUPLICATE_USERNAME (I4), INVALID_NEW_PASSWORD (I5). A missing or
// wrong integration token (I2) is 401 invalid_token.
const (
	duplicateUsername = "DUPLICATE_USERNAME: Duplicate Username. The username already exists in this or another Salesforce organization."
	weakPassword      = "INVALID_NEW_PASSWORD: Your password must be at least 8 characters long and have a mix of letters and numbers."
)

// initBody is the union of the init endpoints' JSON bodies. The iOS SDK's
// spellings (verificationMethod, password inside userdata) are accepted too.
type initBody struct {
	Username           string          `json:"username"`
	LoginHint          string          `json:"login_hint"`
	Recaptcha          string          `json:"recaptcha"`
	RecaptchaEvent     *recaptchaEvent `json:"recaptchaevent"`
	VerificationMethod string          `json:"verificationmethod"`
	VerificationMethdC string          `json:"verificationMethod"`
	EmailTemplate      string          `json:"emailtemplate"`
	Password           string          `json:"password"`
	UserData           *userData       `json:"userdata"`
	CustomData         json.RawMessage `json:"customdata"`
	OTP                string          `json:"otp"`
	NewPassword        string          `json:"newpassword"`
}

// recaptchaEvent is reCAPTCHA Enterprise's form (protocol.md §4).
type recaptchaEvent struct {
	Token          string `json:"token"`
	SiteKey        string `json:"siteKey"`
	ExpectedAction string `json:"expectedAction"`
	ProjectID      string `json:"projectId"`
}

type userData struct {
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	Username    string `json:"username"`
	MobilePhone string `json:"mobilePhone"`
	// A "password" here is not read: the server ignores it (protocol.md §5).
}

func (b *initBody) method() string {
	m := b.VerificationMethod
	if m == "" {
		m = b.VerificationMethdC
	}
	return strings.ToLower(strings.TrimSpace(m))
}

// BadRecaptcha is the one reCAPTCHA token the site rejects, as if it were
// expired or scored too low.
const BadRecaptcha = "bad-recaptcha"

// readInit runs the checks every init endpoint shares: method, flow
// enabled, integration token, JSON body, reCAPTCHA (unless skipRecaptcha).
// It has answered when it returns nil.
func (s *Site) readInit(w http.ResponseWriter, r *http.Request, f Flow, what, scope string) *initBody {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return nil
	}
	if !f.Enabled {
		fail(w, "invalid_request", what+" is not enabled for this site")
		return nil
	}
	if f.RequireAuth && (f.AuthToken == "" || bearer(r) != f.AuthToken) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		failStatus(w, http.StatusUnauthorized, "invalid_token",
			"this site requires authentication: an integration user's Bearer token with the "+scope+" scope")
		return nil
	}
	var b initBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		fail(w, "invalid_request", "malformed JSON body")
		return nil
	}
	return &b
}

// checkRecaptcha enforces Flow.RequireRecaptcha; it has answered when false.
func checkRecaptcha(w http.ResponseWriter, f Flow, b *initBody) bool {
	if !f.RequireRecaptcha {
		return true
	}
	tok := b.Recaptcha
	if tok == "" && b.RecaptchaEvent != nil {
		tok = b.RecaptchaEvent.Token
	}
	switch tok {
	case "":
		fail(w, "invalid_request", "recaptcha token required")
		return false
	case BadRecaptcha:
		fail(w, "invalid_request", "recaptcha verification failed")
		return false
	}
	return true
}

// checkTemplate enforces the emailtemplate allowlist when one is set.
func (s *Site) checkTemplate(w http.ResponseWriter, b *initBody) bool {
	if s.cfg.EmailTemplates == nil || contains(s.cfg.EmailTemplates, b.EmailTemplate) {
		return true
	}
	fail(w, "invalid_request", "emailtemplate is not allowlisted for this site")
	return false
}

// checkMethod requires verificationmethod email or sms.
func checkMethod(w http.ResponseWriter, m string) bool {
	if m == "email" || m == "sms" {
		return true
	}
	fail(w, "invalid_request", "verificationmethod must be email or sms")
	return false
}

// strongPassword is the site's password policy: at least 8 characters with
// letters and digits (Salesforce's default policy; errors.md I5).
func strongPassword(p string) bool {
	return len(p) >= 8 && strings.ContainsAny(p, "0123456789") &&
		strings.ContainsAny(strings.ToLower(p), "abcdefghijklmnopqrstuvwxyz")
}

// recipient is where an OTP for u goes by method, or "".
func recipient(u User, method string) string {
	if method == "sms" {
		return u.Phone
	}
	return u.Email
}
