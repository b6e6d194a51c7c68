package cli

import (
	"context"

	"github.com/sfecho/sfecho/internal/flow"
)

// loginWith runs the flow, wiring the local echo endpoint when the
// capture mode asks for it.
func loginWith(ctx context.Context, env *Env, c *flow.Client, a flow.Authorization, exchangeHeader map[string][]string) (*flow.Token, error) {
	_ = env
	if a.Capture == flow.CaptureLocal {
		return nil, usagef("--capture local is not available yet")
	}
	return c.Login(ctx, a, exchangeHeader)
}
