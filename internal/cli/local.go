package cli

import (
	"context"

	"github.com/sfecho/sfecho/internal/flow"
)

// loginWith runs the flow, wiring the local echo endpoint when the
// capture mode asks for it (--capture local): redirect_uri becomes that
// endpoint, on the port and path of a loopback --redirect-uri, else on
// localhost (bound to 127.0.0.1), a free port and /services/oauth2/echo.
func loginWith(ctx context.Context, env *Env, c *flow.Client, a flow.Authorization, exchangeHeader map[string][]string) (*flow.Token, error) {
	if a.Capture != flow.CaptureLocal {
		return c.Login(ctx, a, exchangeHeader)
	}
	warnNotLoopback(env, c.RedirectURI)
	return c.LoginLocal(ctx, a, exchangeHeader)
}

// warnNotLoopback says so when a --redirect-uri that is not a loopback URL
// gives way to the local endpoint's address, since the app must then have
// a loopback callback registered.
func warnNotLoopback(env *Env, redirectURI string) {
	if redirectURI == "" {
		return
	}
	if _, _, loopback, err := flow.LocalAddr(redirectURI); err == nil && !loopback {
		env.warnf("--redirect-uri %s is not a loopback http:// URL, so the local endpoint uses http://localhost:<free port>/services/oauth2/echo (or the loopback site's own host name); the app must have that callback registered", redirectURI)
	}
}
