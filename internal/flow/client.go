package flow

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Operation names, used as the first part of every error message.
const (
	OpAuthorize    = "authorize"
	OpAuthorizeOTP = "verify OTP"
	OpEcho         = "echo"
	OpExchange     = "token exchange"
	OpRefresh      = "refresh"
	OpRevoke       = "revoke"
	OpUserinfo     = "userinfo"
	OpIntrospect   = "introspect"
)

// Client holds what every flow needs to talk to one Experience Cloud site
// with one app. The zero value is not usable; set HTTP, Site and ClientID.
type Client struct {
	// HTTP carries TLS settings, timeouts and the -v trace. Its
	// CheckRedirect is ignored: the flows never follow redirects blindly.
	HTTP *http.Client
	// Site is the site URL with its path prefix, from [ParseSite].
	Site *url.URL
	// ClientID is the app's consumer key.
	ClientID string
	// ClientSecret is set for private clients only. It is sent at the token
	// step and keys the signature check.
	ClientSecret string
	// RedirectURI must match the app's callback byte for byte. Defaults to
	// [DefaultRedirectURI].
	RedirectURI string
	// Scope is space-separated (protocol.md §1, Q8); omitted when empty.
	Scope string
	// ChallengeMethod says whether code_challenge_method=S256 goes with the
	// challenge. The default ([MethodAuto]) follows Salesforce's own
	// clients: none on the headless flows (response_type=code_credentials),
	// which send code_challenge alone, and S256 on the browser flow
	// (response_type=code), as RFC 7636 servers require (protocol.md §1,
	// Question 9). [MethodS256] and [MethodNone] override both.
	ChallengeMethod ChallengeMethod
	// TrustedCommunityURLs are community URLs the user trusts explicitly
	// beyond the site's own host and Salesforce's site domains (see
	// [Client.CheckCommunityURL]); each is matched on scheme and host.
	TrustedCommunityURLs []string
	// Logf narrates each step (sfecho demo, -v). It must never be handed a
	// secret; nil means silent.
	Logf func(format string, args ...any)
	// Warnf reports, even without -v, what the user should know while a
	// flow goes on, such as a redirect the local endpoint ignored. It is
	// called from the flow's goroutine, never handed a secret, and its
	// arguments may hold text from outside: the caller escapes them for
	// the terminal. Nil falls back to Logf.
	Warnf func(format string, args ...any)
}

// ChallengeMethod selects when code_challenge_method is sent.
type ChallengeMethod string

// The challenge-method settings.
const (
	MethodAuto ChallengeMethod = ""     // none on headless flows, S256 in the browser
	MethodS256 ChallengeMethod = "S256" // always send code_challenge_method=S256
	MethodNone ChallengeMethod = "none" // never send it
)

// ParseChallengeMethod reads a user's setting: auto, S256 or none.
func ParseChallengeMethod(s string) (ChallengeMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return MethodAuto, nil
	case "s256":
		return MethodS256, nil
	case "none":
		return MethodNone, nil
	}
	return MethodAuto, usageErr("the challenge method must be auto, S256 or none")
}

// sendMethod reports whether code_challenge_method=S256 goes on a request;
// browser is true for response_type=code.
func (c *Client) sendMethod(browser bool) bool {
	switch c.ChallengeMethod {
	case MethodS256:
		return true
	case MethodNone:
		return false
	}
	return browser
}

func (c *Client) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Client) warnf(format string, args ...any) {
	if c.Warnf != nil {
		c.Warnf(format, args...)
		return
	}
	c.logf(format, args...)
}

func (c *Client) redirectURI() string {
	if c.RedirectURI != "" {
		return c.RedirectURI
	}
	return DefaultRedirectURI(c.Site)
}

// noFollow returns a copy of the client that stops at the first redirect,
// so credentials are never re-sent to the redirect target and the 302's
// Location can be read (protocol.md §13). It shares the transport, and so
// the connection pool.
func (c *Client) noFollow() *http.Client {
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// NewState returns a random state value: 16 bytes from crypto/rand,
// base64url-encoded.
func NewState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
