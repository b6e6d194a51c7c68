package flow

import (
	"context"
	"strings"
)

// DefaultLoginHintKey is the passwordless init body's key for a login hint
// (headless user discovery). The v252 Apex docs say the identifier reaches
// the passwordless init endpoint as login_hint; the JSON key's spelling is
// [UNCONFIRMED] (protocol.md §8, Q6), hence [PasswordlessInit.LoginHintKey].
const DefaultLoginHintKey = "login_hint"

// PasswordlessInit is the first step of a passwordless login.
type PasswordlessInit struct {
	// Username, or LoginHint for headless user discovery (any identifier
	// the site's discovery handler understands). Exactly one is set.
	Username, LoginHint string
	// LoginHintKey overrides [DefaultLoginHintKey].
	LoginHintKey string
	// Method is MethodEmail or MethodSMS.
	Method string
	Auth   InitAuth
}

// InitPasswordless posts {username|login_hint, verificationmethod,
// recaptcha|recaptchaevent, emailtemplate} to
// {site}/services/auth/headless/init/passwordless/login; the site sends an
// OTP and answers {"identifier","status"} (protocol.md §4, TV6).
func (c *Client) InitPasswordless(ctx context.Context, p PasswordlessInit) (*Challenge, error) {
	if err := CheckMethod(p.Method); err != nil {
		return nil, err
	}
	body := map[string]any{"verificationmethod": p.Method}
	switch {
	case p.LoginHint != "":
		key := p.LoginHintKey
		if key == "" {
			key = DefaultLoginHintKey
		}
		body[key] = p.LoginHint
	case strings.TrimSpace(p.Username) != "":
		body["username"] = p.Username
	default:
		return nil, UsageError("--username or --login-hint is required")
	}
	p.Auth.fill(body)
	b, err := c.postInit(ctx, OpInitPasswordless, PathInitPasswordless, p.Auth, body)
	if err != nil {
		return nil, err
	}
	ch, err := decodeChallenge(OpInitPasswordless, b, p.Method)
	if err == nil {
		c.logf("%s: an OTP was sent by %s", OpInitPasswordless, p.Method)
	}
	return ch, err
}

// Registration is the first step of a headless registration.
type Registration struct {
	Username, Email, FirstName, LastName string
	// Password is the new user's password. It is a secret.
	Password string
	// Custom is free-form data for the site's registration handler
	// ("customdata"); omitted when empty.
	Custom map[string]any
	// Method is MethodEmail or MethodSMS.
	Method string
	Auth   InitAuth
}

// InitRegistration posts the registration to
// {site}/services/auth/headless/init/registration in the documented shape
// (protocol.md §5, TV4): userdata{firstName,lastName,email,username},
// customdata, password, recaptcha|recaptchaevent and verificationmethod
// (not the iOS SDK's verificationMethod). The site queues the user, sends an
// OTP and answers {"status","email","identifier"}.
func (c *Client) InitRegistration(ctx context.Context, r Registration) (*Challenge, error) {
	if err := CheckMethod(r.Method); err != nil {
		return nil, err
	}
	if r.Username == "" || r.Email == "" || r.LastName == "" || r.Password == "" {
		return nil, UsageError("registration needs --username, --email, --last-name and a password")
	}
	userdata := map[string]string{"lastName": r.LastName, "email": r.Email, "username": r.Username}
	if r.FirstName != "" {
		userdata["firstName"] = r.FirstName
	}
	body := map[string]any{
		"userdata":           userdata,
		"password":           r.Password,
		"verificationmethod": r.Method,
	}
	if len(r.Custom) > 0 {
		body["customdata"] = r.Custom
	}
	r.Auth.fill(body)
	b, err := c.postInit(ctx, OpInitRegistration, PathInitRegistration, r.Auth, body)
	if err != nil {
		return nil, err
	}
	ch, err := decodeChallenge(OpInitRegistration, b, r.Method)
	if err == nil {
		c.logf("%s: the user is queued; an OTP was sent by %s", OpInitRegistration, r.Method)
	}
	return ch, err
}
