package flow

import (
	"context"
	"net/http"

	"github.com/sfecho/sfecho/internal/pkce"
)

// Login runs a whole code-and-credentials flow: a fresh PKCE verifier and
// state, [Client.Authorize], then [Client.Exchange]. exchangeHeader adds
// headers to the token request (guest flow). With a.Capture
// [CaptureLocal] it is [Client.LoginLocal].
func (c *Client) Login(ctx context.Context, a Authorization, exchangeHeader http.Header) (*Token, error) {
	if a.Capture == CaptureLocal && a.Follow == nil {
		return c.LoginLocal(ctx, a, exchangeHeader)
	}
	verifier := pkce.NewVerifier()
	a.Challenge = pkce.ChallengeS256(verifier)
	a.State = NewState()
	c.logf("PKCE: new verifier, S256 challenge %s", a.Challenge)
	code, err := c.Authorize(ctx, a)
	if err != nil {
		return nil, err
	}
	return c.Exchange(ctx, code, verifier, exchangeHeader)
}
