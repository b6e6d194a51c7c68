package flow

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies a failure; the CLI maps each Kind to one exit code
// (design.md, "Exit codes").
type Kind int

// The kinds of failure, in design.md's order.
const (
	KindUnexpected Kind = iota // 1: a bug or an answer sfecho cannot place
	KindUsage                  // 2: bad input or local configuration
	KindRejected               // 3: the site rejected credentials, OTP, code or refresh token
	KindNoSession              // 4: no saved session, or it can no longer be refreshed
	KindSetup                  // 5: the site or app is not set up for this flow
	KindNetwork                // 6: network, TLS, timeout, 5xx
	KindSecurity               // 7: a security check failed
)

// Error is a classified failure. Its message is one line and never holds a
// secret: only the step, the OAuth error code and the server's description.
type Error struct {
	Op          string // the step that failed, e.g. "authorize", "token exchange"
	Kind        Kind
	Status      int    // HTTP status, when there was an answer
	Code        string // OAuth error code, e.g. invalid_grant
	Description string // the server's error_description, or our reason
	Advice      string // one line naming the setting or flag to change
	Err         error  // the underlying error, if any (never printed with secrets)
}

// Error returns "<op>: <code>: <description>", leaving out empty parts. An
// error without an Op (bad input, found before any step) is its
// description alone.
func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{e.Op, e.Code, e.Description} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, KindUnexpected when it carries none.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return KindUnexpected
}

// AdviceOf returns the advice line carried by err, if any.
func AdviceOf(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Advice
	}
	return ""
}

func usageErr(msg string) error {
	return &Error{Kind: KindUsage, Description: msg}
}

// UsageError returns a KindUsage error with the given one-line message.
func UsageError(format string, args ...any) error {
	return &Error{Kind: KindUsage, Description: fmt.Sprintf(format, args...)}
}

// Sentinel reasons, for errors.Is.
var (
	ErrStateMismatch = errors.New("state did not match")
	ErrOffsite       = errors.New("redirect to an unexpected host")
	ErrSignature     = errors.New("token signature mismatch")
)

// Advice lines from errors.md, keyed by the entry they come from.
const (
	adviceClientID      = "check --client-id is the Consumer Key of an app in the site's org; a new or edited app can take ~10 min"             // A1
	adviceRedirect      = "register the exact --redirect-uri on the app (Settings > OAuth Settings > Callback URL), byte for byte"              // A2
	adviceResponseType  = `enable "Allow Authorization Code and Credentials Flows" (Setup > OAuth and OpenID Connect Settings)`                 // A3
	adviceFlowDisabled  = `turn on "Enable Authorization Code and Credentials Flow" on the app and the org's Code and Credentials switch`       // A4
	adviceHTML          = "not treated as headless: put every --scope on the app, check the POST-body setting and the org switch"               // A5
	adviceCredentials   = "check the username and password; the user must be an active external member of this site"                            // A6
	adviceIPRestricted  = `set the app's IP Relaxation to "Relax IP restrictions", or add this IP to the profile's Login IP Ranges`             // A7
	adviceAppAccess     = "add the user's profile or permission set to the app's Policies (Permitted Users: Admin approved users)"              // A8
	adviceNotApproved   = `headless login has no consent screen: set Permitted Users to "Admin approved users are pre-authorized"`              // A9
	adviceInactiveUser  = "the user is inactive or locked: an admin must reactivate or unlock it in Setup > Users"                              // A10
	adviceInactiveOrg   = "the org is locked, closed or suspended: contact the org's admin; nothing to change in sfecho"                        // A11
	adviceRateLimit     = "login rate limit (3,600/user/hour) reached: reuse the saved session with sfecho token; retry in an hour"             // A12
	adviceScope         = `request only scopes selected on the app, space-separated (e.g. --scope "api refresh_token")`                         // A13
	adviceDenied        = "authorization was denied in the browser: run sfecho login again and choose Allow"                                    // A14
	adviceHTTPS         = "--site must start with https://; an http-to-https redirect turns the POST into a GET"                                // A15
	advicePKCERequired  = "the app requires PKCE: send code_challenge (S256) at authorize and code_verifier at token"                           // A16
	adviceUVID          = "guest flow: --uvid must be a v4 UUID; if it still fails the connection is not HTTP/2 (check --ca-file, proxy)"       // A17
	adviceGuestDisabled = `enable "Code and Credentials Flow for Guest Users" and JWT-based access tokens on the app`                           // A18
	adviceCodeExpired   = "the code expired or was already used: log in again and exchange the new code once, at once"                          // T1
	advicePKCE          = "PKCE check failed: challenge must be base64url(SHA-256(verifier)) without padding; log in again"                     // T2
	adviceSecret        = `public client: turn off "Require secret for Web Server Flow"; private: check --client-secret-file`                   // T3
	adviceGrantType     = "grant type refused: use an https:// site URL (redirects turn the POST into a GET)"                                   // T4
	adviceRefreshDead   = "the refresh token was revoked or expired (app Refresh Token Policy, 5-grant limit): run sfecho login"                // T5
	adviceRefreshAuth   = "the user's password changed or the user was deactivated: run sfecho login again"                                     // T6
	adviceOTP           = "the code was wrong or has expired: request a new one and enter it once, promptly"                                    // I7
	adviceState         = "state did not match: possible replay or mix-up; start the login again and do not reuse redirect URLs"                // E2
	adviceSignature     = "token signature check failed: wrong --client-secret-file for this app, or the response was altered"                  // E5
	adviceTLS           = "TLS verification failed (proxy with its own CA?): pass that CA with --ca-file; --insecure is for tests only"         // N4
	advicePrefix        = "include the site prefix once and no /s/ (e.g. https://acme.my.site.com/shop); sfecho then uses sfdc_community_url"   // N2
	adviceNoCode        = "the redirect carried no code: check the app's Callback URL is --redirect-uri and the flow is enabled on app and org" // A4/A2
	adviceBadToken      = "the access token is expired or revoked: run sfecho refresh, or sfecho login if that fails"                           // U1
)
