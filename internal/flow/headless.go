package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Headless init endpoints under a site URL (protocol.md §4–§6).
const (
	PathInitPasswordless = "/services/auth/headless/init/passwordless/login"
	PathInitRegistration = "/services/auth/headless/init/registration"
	PathForgotPassword   = "/services/auth/headless/forgot_password"
)

// Operation names of the init steps, used as the first part of their
// errors.
const (
	OpInitPasswordless = "passwordless init"
	OpInitRegistration = "registration init"
	OpForgotInit       = "forgot password"
	OpForgotChange     = "change password"
)

// Verification methods: the init body's verificationmethod and the
// authorize step's Auth-Verification-Type (protocol.md §4, §5).
const (
	MethodEmail = "email"
	MethodSMS   = "sms"
)

// CheckMethod validates a verification method.
func CheckMethod(m string) error {
	if m == MethodEmail || m == MethodSMS {
		return nil
	}
	return UsageError("--method must be email or sms, not %q", m)
}

// InitAuth is what proves the caller to an init endpoint: a reCAPTCHA
// answer and/or an integration user's Bearer token, as the site's Headless
// Identity settings demand (protocol.md §4–§6, §12; errors.md I1, I2).
type InitAuth struct {
	// Recaptcha is a v2/v3 token, sent as "recaptcha".
	Recaptcha string
	// RecaptchaEvent is the Enterprise form, sent as "recaptchaevent"
	// instead of "recaptcha" ([SDK S22]).
	RecaptchaEvent *RecaptchaEvent
	// Token is the integration user's access token, sent as
	// Authorization: Bearer. It is a secret.
	Token string
	// EmailTemplate names an allowlisted email template ("emailtemplate");
	// needed when the site allowlists templates.
	EmailTemplate string
}

// RecaptchaEvent is reCAPTCHA Enterprise's assessment input, as the
// Android SDK sends it ([SDK S22]).
type RecaptchaEvent struct {
	Token          string `json:"token"`
	SiteKey        string `json:"siteKey"`
	ExpectedAction string `json:"expectedAction"`
	ProjectID      string `json:"projectId"`
}

// fill adds the reCAPTCHA and template keys to an init body.
func (a InitAuth) fill(body map[string]any) {
	switch {
	case a.RecaptchaEvent != nil:
		body["recaptchaevent"] = a.RecaptchaEvent
	case a.Recaptcha != "":
		body["recaptcha"] = a.Recaptcha
	}
	if a.EmailTemplate != "" {
		body["emailtemplate"] = a.EmailTemplate
	}
}

func (a InitAuth) hasRecaptcha() bool {
	return a.Recaptcha != "" || (a.RecaptchaEvent != nil && a.RecaptchaEvent.Token != "")
}

// Challenge is what an init step hands back: the request identifier the
// OTP belongs to, and the verification method it was sent by. The
// identifier is masked in traces; it is printed only when asked
// (sfecho login --init-only).
type Challenge struct {
	Identifier string `json:"identifier"`
	Method     string `json:"method"`
}

// OTPAuthorization is the authorize request that redeems an OTP:
// Auth-Request-Type requestType (RequestPasswordless or RequestRegistration),
// Auth-Verification-Type equal to the init method, and Basic
// identifier:otp (protocol.md §4 step B, TV5, TV6).
func OTPAuthorization(requestType string, ch Challenge, otp string) Authorization {
	return Authorization{RequestType: requestType, VerificationType: ch.Method, User: ch.Identifier, Secret: otp}
}

// postInit posts a JSON body to an init endpoint and returns the answer's
// body on a 2xx. Everything else becomes an *Error classified by
// [initError].
func (c *Client) postInit(ctx context.Context, op, path string, auth InitAuth, body map[string]any) ([]byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUsage, Description: "cannot encode the request", Err: err}
	}
	endpoint := Endpoint(c.Site, path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(raw))
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUsage, Description: "cannot build the request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if auth.Token != "" {
		req.Header.Set("Authorization", "Bearer "+auth.Token)
	}
	c.logf("%s: POST %s", op, endpoint)
	resp, err := c.noFollow().Do(req)
	if err != nil {
		return nil, transportError(op, endpoint, err)
	}
	b, err := readBody(resp)
	if err != nil {
		return nil, transportError(op, endpoint, err)
	}
	if resp.StatusCode/100 == 2 {
		if ierr := initBodyError(op, resp, b, auth); ierr != nil {
			return nil, ierr
		}
		return b, nil
	}
	return nil, initError(op, resp, b, auth)
}

// decodeChallenge reads {"identifier","status"} from an init answer.
func decodeChallenge(op string, body []byte, method string) (*Challenge, error) {
	var v struct {
		Identifier string `json:"identifier"`
		Status     string `json:"status"`
	}
	if err := json.Unmarshal(body, &v); err != nil || strings.TrimSpace(v.Identifier) == "" {
		return nil, &Error{Op: op, Kind: KindUnexpected,
			Description: "the answer carried no identifier",
			Advice:      "the site answered success without an identifier: run with -v and report the answer"}
	}
	return &Challenge{Identifier: v.Identifier, Method: method}, nil
}
