package cli

import (
	"context"
	"fmt"
	"net/url"
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
	fs.DurationVar(&o.LoginTimeout, "login-timeout", 3*time.Minute, "with --web, give up waiting for the sign-in after this long (0: wait until interrupted)")
}

// webLogin runs the browser authorization-code flow with PKCE: the site's
// login page in a browser, the code captured on a loopback echo endpoint
// (as with --capture local), then the token exchange.
func (o *loginOptions) webLogin(ctx context.Context, env *Env, c *flow.Client) (*flow.Token, string, error) {
	warnNotLoopback(env, c.RedirectURI)
	hint := o.Username // a login hint only: never prompted for
	tok, err := c.WebLogin(ctx, flow.Browser{Open: o.web.opener(env, c), Timeout: o.web.LoginTimeout, LoginHint: hint})
	if err != nil {
		return nil, "", err
	}
	user := flow.IDTokenUsername(tok.IDToken)
	if user == "" {
		user = hint
	}
	return tok, user, nil
}

// checkWeb refuses the flags that mean nothing in a browser login.
func (o *loginOptions) checkWeb() error {
	switch {
	case o.PasswordStdin || o.CredentialsInBody:
		return usagef("--web signs in on the site's page: drop --password-stdin and --credentials-in-body")
	case o.Capture != "" && o.Capture != string(flow.CaptureLocation) && o.Capture != string(flow.CaptureLocal):
		return usagef("--web always captures the code on the local endpoint: drop --capture %s", o.Capture)
	case o.web.LoginTimeout < 0:
		return usagef("--login-timeout must not be negative")
	}
	return nil
}

// opener shows the authorization URL: always printed on stderr first, then
// opened in the browser unless --no-browser, an SSH session (SSH_TTY), or a
// browser that cannot start says to leave it to the user (errors.md B3).
// The browser launcher's own output is discarded (see System).
func (o *webOptions) opener(env *Env, c *flow.Client) func(string) {
	return func(authURL string) {
		fmt.Fprintf(env.Err, "sfecho: sign in on the site's login page:\n  %s\n", authURL)
		wait := fmt.Sprintf("waiting up to %s (--login-timeout) for the sign-in to reach %s", o.LoginTimeout, c.RedirectURI)
		if o.LoginTimeout == 0 {
			wait = "waiting until interrupted for the sign-in to reach " + c.RedirectURI
		}
		switch {
		case o.NoBrowser:
			fmt.Fprintf(env.Err, "sfecho: --no-browser: open that URL in a browser yourself; %s\n", wait)
		case env.getenv("SSH_TTY") != "":
			fmt.Fprintf(env.Err, "sfecho: SSH session (SSH_TTY is set): not starting a browser; open that URL in a browser that can reach %s (ssh -L %s:127.0.0.1:%s); %s\n",
				redirectHost(c.RedirectURI), redirectPort(c.RedirectURI), redirectPort(c.RedirectURI), wait)
		case env.OpenBrowser == nil:
			fmt.Fprintf(env.Err, "sfecho: no browser launcher: open that URL yourself; %s\n", wait)
		default:
			if err := env.OpenBrowser(authURL); err != nil {
				fmt.Fprintf(env.Err, "sfecho: could not start a browser (%v): open that URL yourself; %s\n", err, wait)
				return
			}
			fmt.Fprintf(env.Err, "sfecho: opened your browser; %s\n", wait)
		}
	}
}

func redirectHost(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return raw
}

func redirectPort(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Port() != "" {
		return u.Port()
	}
	return "PORT"
}
