package flow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sfecho/sfecho/internal/echo"
	"github.com/sfecho/sfecho/internal/pkce"
)

// OpBrowser names the browser login (sfecho login --web) in errors.
const OpBrowser = "browser login"

// ErrLoginTimeout means no redirect reached the local endpoint within
// [Browser.Timeout].
var ErrLoginTimeout = errors.New("no sign-in came back in time")

// Browser says how a browser login reaches the user.
type Browser struct {
	// Open shows the authorization URL to the user: it opens a browser, or
	// prints the URL for the user to open. It is called once the local
	// endpoint listens, and must return promptly. The URL carries state and
	// the PKCE challenge, neither of them a secret.
	Open func(authorizeURL string)
	// Timeout bounds the wait for the redirect after Open; 0 means no limit
	// but ctx.
	Timeout time.Duration
	// LoginHint, when set, is sent as login_hint to prefill the username on
	// the site's login page.
	LoginHint string
}

// AuthorizeURL returns the browser authorization URL of the ordinary
// authorization-code flow (protocol.md §10): {site}/services/oauth2/authorize
// with response_type=code, client_id, redirect_uri, state, the S256
// code_challenge and code_challenge_method=S256 (unless
// [Client.ChallengeMethod] says none), then scope and login_hint when set. The
// parameters are in that order, for people who read the printed URL.
func (c *Client) AuthorizeURL(state, challenge, loginHint string) string {
	var q []string
	add := func(k, v string) {
		if v != "" {
			q = append(q, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	add("response_type", "code")
	add("client_id", c.ClientID)
	add("redirect_uri", c.redirectURI())
	add("state", state)
	add("code_challenge", challenge)
	if c.sendMethod(true) {
		add("code_challenge_method", "S256")
	}
	add("scope", c.Scope)
	add("login_hint", loginHint)
	return Endpoint(c.Site, PathAuthorize) + "?" + strings.Join(q, "&")
}

// WebLogin runs the authorization-code flow with PKCE through the site's
// own login page, for users who need SSO or MFA: it starts the loopback
// echo endpoint ([Client.ListenLocal]; c.RedirectURI becomes its URL), lets
// b.Open show [Client.AuthorizeURL], waits for the browser's redirect, checks
// state (the endpoint refuses a foreign state, and the redirect is checked
// again here), and exchanges the code with [Client.Exchange]. Redirects
// without this login's state are ignored, each with a [Client.Warnf] line;
// only the login's own redirect ends the wait. An error redirect
// (error=access_denied) with the right state is classified like any OAuth
// error.
func (c *Client) WebLogin(ctx context.Context, b Browser) (*Token, error) {
	verifier := pkce.NewVerifier()
	state := NewState()
	srv, err := c.ListenLocal(state)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	challenge := pkce.ChallengeS256(verifier)
	c.logf("PKCE: new verifier, S256 challenge %s", challenge)
	b.Open(c.AuthorizeURL(state, challenge, b.LoginHint))
	p, err := c.waitBrowser(ctx, srv, b.Timeout)
	if err != nil {
		return nil, err
	}
	code, err := c.checkCode(OpBrowser, state, p)
	if err != nil {
		return nil, err
	}
	return c.Exchange(ctx, code, verifier, nil)
}

// waitBrowser returns the parameters of the first redirect that reaches
// srv with this login's state, code or error. Redirects srv refused
// (missing or foreign state) are ignored with a warning and the wait goes
// on: another page or process cannot end the login, nor put its own text
// forward as the site's verdict. Timing out is errors.md B3 (exit 6); an
// interrupt returns ctx's error.
func (c *Client) waitBrowser(ctx context.Context, srv *echo.Server, timeout time.Duration) (map[string]string, error) {
	wctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var ignored int
	got, err := c.accepted(wctx, srv, &ignored)
	switch {
	case err == nil:
		c.logf("local endpoint: captured a redirect with %d parameters", len(got.Params))
		return map[string]string(got.Params), nil
	case errors.Is(err, echo.ErrClosed):
		return nil, &Error{Op: OpBrowser, Kind: KindUnexpected, Err: echo.ErrClosed, Description: "the local endpoint stopped"}
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	port := "PORT"
	if u, err := url.Parse(srv.URL()); err == nil {
		port = u.Port()
	}
	desc := fmt.Sprintf("no sign-in reached %s within %s", srv.URL(), timeout)
	switch {
	case ignored == 1:
		desc += " (1 redirect without this login's state was ignored)"
	case ignored > 1:
		desc += fmt.Sprintf(" (%d redirects without this login's state were ignored)", ignored)
	}
	return nil, &Error{Op: OpBrowser, Kind: KindNetwork, Err: ErrLoginTimeout, Description: desc,
		Advice: fmt.Sprintf("sign in within --login-timeout (%s) or raise it; the browser must reach port %s here (over SSH: ssh -L %s:127.0.0.1:%s)", timeout, port, port, port)}
}

// IDTokenUsername returns the preferred_username claim of an OpenID Connect
// id_token, or "". The signature is not checked: the name only labels the
// saved session, and the token came straight from the site's token
// endpoint.
func IDTokenUsername(idToken string) string {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.PreferredUsername
}
