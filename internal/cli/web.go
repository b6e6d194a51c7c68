package cli

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
)

// webOptions are the flags of the browser login (sfecho login --web).
type webOptions struct {
	Web          bool
	NoBrowser    bool
	LoginTimeout time.Duration
}

func (o *webOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Web, "web", false, "log in through the site's own login page in a browser (SSO, MFA)")
	fs.BoolVar(&o.NoBrowser, "no-browser", false, "with --web, print the URL instead of opening a browser")
	fs.DurationVar(&o.LoginTimeout, "login-timeout", 3*time.Minute, "with --web, give up after this long")
}

// runWebLogin runs the browser authorization-code flow.
func runWebLogin(ctx context.Context, env *Env, o *loginOptions, c *flow.Client, format string) error {
	_, _, _, _, _ = ctx, env, o, c, format
	return usagef("--web is not available yet")
}
