package flow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sfecho/sfecho/internal/echo"
	"github.com/sfecho/sfecho/internal/pkce"
)

// OpLocal names the loopback echo endpoint in errors.
const OpLocal = "local endpoint"

// DefaultLocalAddr is where the local endpoint listens when the callback is
// not a loopback URL: a free port, named localhost, because external client
// apps reportedly refuse 127.0.0.1 callbacks (protocol.md §10). It binds
// 127.0.0.1 either way. A site that is itself on loopback (a simulator)
// lends its own host name instead; see [Client.ListenLocal].
const DefaultLocalAddr = "localhost:0"

// LocalAddr says where the loopback echo endpoint of --capture local and the
// browser login listens, given the configured redirect_uri. A loopback
// http:// URL (the callback registered on the app, such as
// http://localhost:1717/OauthRedirect) gives its host name, port and path,
// so the redirect_uri sent is the registered one; anything else, or none,
// gives DefaultLocalAddr (a free port) at /services/oauth2/echo, and
// loopback is false. Salesforce's matching of loopback callbacks is
// undocumented (protocol.md §10, errors.md B4): register the URL exactly
// as it is sent.
func LocalAddr(redirectURI string) (addr, path string, loopback bool, err error) {
	u, perr := url.Parse(redirectURI)
	if redirectURI == "" || perr != nil || !IsLoopback(u.Hostname()) {
		return DefaultLocalAddr, echo.DefaultPath, false, nil
	}
	switch {
	case u.Scheme != "http":
		return "", "", false, UsageError("--redirect-uri %s: the local endpoint serves plain http:// only; register http://localhost:PORT/... on the app", u.Redacted())
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", "", false, UsageError("--redirect-uri %s: a local callback cannot carry user information, a query or a fragment", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return net.JoinHostPort(u.Hostname(), port), path, true, nil
}

// ListenLocal starts the loopback echo endpoint for one login: it accepts a
// single redirect, and only one carrying state (design.md, "Security
// rules"). A loopback c.RedirectURI with a fixed port is kept byte for byte
// (it is what the app registered); otherwise c.RedirectURI becomes the
// endpoint's URL, with the port it was given. The token exchange repeats
// it. A busy or forbidden port is a usage error (exit 2) with the advice of
// errors.md B1/B2. The caller closes the server.
func (c *Client) ListenLocal(state string) (*echo.Server, error) {
	addr, path, loopback, err := LocalAddr(c.RedirectURI)
	if err != nil {
		return nil, err
	}
	if c.Site != nil && !loopback && IsLoopback(c.Site.Hostname()) {
		h := c.Site.Hostname()
		// A simulated site on loopback registers its own echo URL; on its
		// host name and path, the local endpoint matches it on any port.
		addr = net.JoinHostPort(h, "0")
		path = strings.TrimRight(c.Site.EscapedPath(), "/") + echo.DefaultPath
	}
	// No Logf: the endpoint's handlers run on their own goroutines, and
	// Logf writes to the same stream as the caller's goroutine. What the
	// endpoint received is narrated by the caller's goroutine instead.
	srv, err := echo.Listen(echo.Options{Addr: addr, Path: path, State: state, Once: true})
	if err != nil {
		return nil, listenError(addr, err)
	}
	if _, port, _ := net.SplitHostPort(addr); !loopback || port == "0" {
		c.RedirectURI = srv.URL()
	}
	c.logf("local endpoint: listening at %s (redirect_uri %s)", srv.URL(), c.RedirectURI)
	return srv, nil
}

// listenError classifies a failure to bind the local endpoint.
func listenError(addr string, err error) error {
	_, port, _ := net.SplitHostPort(addr)
	e := &Error{Op: OpLocal, Kind: KindUsage, Description: err.Error(), Err: err}
	switch {
	case errors.Is(err, echo.ErrAddrInUse):
		e.Advice = "port " + port + " is in use: stop that process or choose another port in --redirect-uri (register it too)" // B1
	case errors.Is(err, echo.ErrPortForbidden):
		e.Advice = "port " + port + " is not permitted (privileged, or reserved by Windows: netsh int ipv4 show excludedportrange protocol=tcp): pick another in --redirect-uri" // B2
	}
	return e
}

// LoginLocal is [Client.Login] with --capture local: the authorize 302 goes
// to a loopback echo endpoint started for this login, and sfecho follows it
// there itself. State is checked twice: by the endpoint, which accepts only
// this login's state, and by [Client.Authorize]. It is for apps whose
// registered callback is a loopback URL; see [Client.ListenLocal] for the
// redirect_uri it sends.
func (c *Client) LoginLocal(ctx context.Context, a Authorization, exchangeHeader http.Header) (*Token, error) {
	verifier := pkce.NewVerifier()
	a.Challenge = pkce.ChallengeS256(verifier)
	a.State = NewState()
	srv, err := c.ListenLocal(a.State)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	c.logf("PKCE: new verifier, S256 challenge %s", a.Challenge)
	a.Capture = CaptureLocal
	a.Follow = c.followLocal(srv)
	code, err := c.Authorize(ctx, a)
	if err != nil {
		return nil, err
	}
	return c.Exchange(ctx, code, verifier, exchangeHeader)
}

// followLocal returns the Authorization.Follow of --capture local. It visits
// the 302's Location, which must be srv's own URL, without credentials, and
// returns the redirect srv captured. When srv refuses the redirect (its
// state is missing or not this login's), the redirect's own parameters are
// returned so that [Client.Authorize] reports what is wrong with them.
func (c *Client) followLocal(srv *echo.Server) func(context.Context, *url.URL) (map[string]string, error) {
	return func(ctx context.Context, loc *url.URL) (map[string]string, error) {
		if !sameEndpoint(loc, srv.URL()) {
			return nil, &Error{Op: OpLocal, Kind: KindSecurity, Err: ErrOffsite,
				Description: "the redirect does not point at the local endpoint " + srv.URL(), Advice: adviceState}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
		if err != nil {
			return nil, &Error{Op: OpLocal, Kind: KindUnexpected, Description: "cannot build the request"}
		}
		req.Header.Set("Accept", "application/json")
		c.logf("local endpoint: GET %s", redactURL(loc))
		resp, err := c.noFollow().Do(req)
		if err != nil {
			return nil, transportError(OpLocal, loc.String(), err)
		}
		_, _ = readBody(resp)
		switch resp.StatusCode {
		case http.StatusOK:
			var ignored int // redirects from elsewhere, each warned about
			got, err := c.accepted(ctx, srv, &ignored)
			if err != nil {
				return nil, &Error{Op: OpLocal, Kind: KindUnexpected, Err: err, Description: "the redirect was answered but not captured"}
			}
			c.logf("local endpoint: captured a redirect with %d parameters", len(got.Params))
			return map[string]string(got.Params), nil
		case http.StatusBadRequest:
			c.logf("local endpoint: refused the redirect (state)")
			return queryParams(OpLocal, loc)
		case http.StatusGone:
			return nil, &Error{Op: OpLocal, Kind: KindSecurity, Err: ErrStateMismatch,
				Description: "another redirect with this login's state reached the local endpoint first", Advice: adviceState}
		}
		return nil, &Error{Op: OpLocal, Kind: KindUnexpected, Status: resp.StatusCode,
			Description: "the local endpoint answered " + http.StatusText(resp.StatusCode)}
	}
}

// sameEndpoint reports whether loc is the endpoint at raw: same scheme, host,
// port (an absent one is the scheme's default) and path.
func sameEndpoint(loc *url.URL, raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(loc.Scheme, u.Scheme) && strings.EqualFold(loc.Hostname(), u.Hostname()) &&
		portOf(loc) == portOf(u) && loc.EscapedPath() == u.EscapedPath()
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}
