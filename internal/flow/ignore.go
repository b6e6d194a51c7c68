package flow

import (
	"context"

	"github.com/sfecho/sfecho/internal/echo"
)

// maxIgnoredWarnings bounds the warnings about ignored redirects, so a
// page or process that floods the local endpoint cannot flood stderr.
const maxIgnoredWarnings = 5

// accepted returns the first redirect srv accepted, that is the first one
// with this login's state, whether it carries a code or an error. Every
// redirect srv refused (a foreign or missing state: another page or
// process on this machine, or a stale tab of an abandoned login) is
// ignored with a warning, and the wait goes on: none of them can end or
// fake the login (design.md, "Security rules"). ignored counts them. It
// returns ctx's error when ctx ends first and [echo.ErrClosed] when srv
// closes.
func (c *Client) accepted(ctx context.Context, srv *echo.Server, ignored *int) (echo.Capture, error) {
	for {
		select {
		case <-ctx.Done():
			return echo.Capture{}, ctx.Err()
		case got, ok := <-srv.Redirects():
			if !ok {
				return echo.Capture{}, echo.ErrClosed
			}
			if got.Rejected == "" {
				return got, nil
			}
			*ignored++
			c.warnIgnored(*ignored, got)
		}
	}
}

// warnIgnored says that a redirect was ignored and what kind it was,
// never quoting its values: they came from whoever sent it.
func (c *Client) warnIgnored(n int, got echo.Capture) {
	switch {
	case n > maxIgnoredWarnings:
		return
	case n == maxIgnoredWarnings:
		c.warnf("local endpoint: ignored another redirect without this login's state; further ones are not reported")
		return
	}
	what := "a redirect"
	switch {
	case got.Params["error"] != "":
		what = "an error redirect"
	case got.Params["code"] != "":
		what = "a redirect with a code"
	}
	c.warnf("local endpoint: ignored %s that does not carry this login's state (%s); still waiting for the sign-in", what, got.Rejected)
}
