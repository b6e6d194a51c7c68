package flow

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
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
	// OmitChallengeMethod leaves code_challenge_method out of the authorize
	// request. Salesforce documents only code_challenge (S256) and no method
	// parameter, and its SDKs send none (protocol.md §1, Q9, unconfirmed
	// whether it is read); sfecho sends "S256" by default, as RFC 7636 asks.
	OmitChallengeMethod bool
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
