package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
)

// passwordlessOptions are login's flags from the flow's variations:
// passwordless (OTP) login, headless user discovery (--login-hint) and a
// guest context carried into the login (--uvid). login.go only wires them.
type passwordlessOptions struct {
	Passwordless bool
	LoginHint    string
	guest        guestLink // --uvid, --uvid-token-file (guestlink.go)
	otp          otpOptions
	init         initOptions
}

// passwordlessOnly are the flags that mean nothing without --passwordless.
var passwordlessOnly = []string{"method", "init-only", "identifier", "recaptcha", "recaptcha-enterprise",
	"recaptcha-site-key", "recaptcha-project", "recaptcha-action", "init-token-file", "email-template"}

func (o *passwordlessOptions) addFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Passwordless, "passwordless", false, "log in with a one-time password sent by email or SMS instead of a password")
	fs.StringVar(&o.LoginHint, "login-hint", "", "any identifier the site's discovery handler understands (email, phone, ...) in place of --username")
	o.guest.addFlags(fs, "this login")
	o.otp.addFlags(fs)
	o.init.addFlags(fs)
}

// validate checks the combination of flags before anything is sent, so a
// mistake costs no OTP.
func (o *passwordlessOptions) validate(cmd *cobra.Command, env *Env, web bool) error {
	fs := cmd.Flags()
	if !o.Passwordless {
		for _, f := range passwordlessOnly {
			if fs.Changed(f) {
				return usagef("--%s needs --passwordless", f)
			}
		}
	}
	switch {
	case o.LoginHint != "" && fs.Changed("username"):
		return usagef("use --username or --login-hint, not both")
	case web && (o.Passwordless || o.LoginHint != "" || o.guest.set()):
		return usagef("--web cannot be combined with --passwordless, --login-hint, --uvid or --uvid-token-file")
	case o.Passwordless && (fs.Changed("password-stdin") || fs.Changed("credentials-in-body")):
		return usagef("--passwordless takes no password: drop --password-stdin and --credentials-in-body")
	}
	if err := o.guest.resolve(env); err != nil {
		return err
	}
	if o.Passwordless {
		return o.otp.resolve(env)
	}
	return nil
}

// link adds the login hint and the guest context to an authorization.
func (o *passwordlessOptions) link(env *Env, a *flow.Authorization) error {
	if o.LoginHint != "" && a.RequestType == "" {
		a.LoginHint = o.LoginHint
	}
	return o.guest.link(env, a)
}

// loginName is the name a password login authenticates: the login hint,
// else the username.
func loginName(env *Env, o *loginOptions) (string, error) {
	if o.pwl.LoginHint != "" {
		return o.pwl.LoginHint, nil
	}
	return username(env, o.Username)
}

// passwordlessLogin runs sfecho login --passwordless: init (unless
// --identifier), the OTP, authorize with passwordless-login, tokens. With
// --init-only it prints the challenge and stops.
func (o *loginOptions) passwordlessLogin(ctx context.Context, env *Env, c *flow.Client) (*flow.Token, string, error) {
	ch, who, err := passwordlessChallenge(ctx, env, o, c)
	if err != nil {
		return nil, "", err
	}
	if o.pwl.otp.InitOnly {
		format, _ := o.out.resolve(env)
		return nil, "", writeChallenge(env, format, ch)
	}
	otp, err := readOTP(ctx, env, ch.Method, o.pwl.otp.Identifier != "", "--identifier")
	if err != nil {
		return nil, "", err
	}
	a := flow.OTPAuthorization(flow.RequestPasswordless, *ch, otp)
	a.Capture = o.capture
	if err := o.pwl.link(env, &a); err != nil {
		return nil, "", err
	}
	tok, err := c.Login(ctx, a, nil)
	return tok, who, err
}

// passwordlessChallenge runs the init step, or takes --identifier. It
// returns the challenge and who is logging in (for output; may be "" with
// --identifier).
func passwordlessChallenge(ctx context.Context, env *Env, o *loginOptions, c *flow.Client) (*flow.Challenge, string, error) {
	p := &o.pwl
	if ch := p.otp.known(); ch != nil {
		who := p.LoginHint
		if who == "" {
			who = o.Username
		}
		return ch, who, nil
	}
	auth, err := p.init.auth(env)
	if err != nil {
		return nil, "", err
	}
	in := flow.PasswordlessInit{LoginHint: p.LoginHint, Method: p.otp.Method, Auth: auth,
		LoginHintKey: env.getenv("SFECHO_LOGIN_HINT_KEY")}
	who := p.LoginHint
	if who == "" {
		if who, err = username(env, o.Username); err != nil {
			return nil, "", err
		}
		in.Username = who
	}
	ch, err := c.InitPasswordless(ctx, in)
	if err != nil {
		return nil, "", err
	}
	if p.otp.InitOnly {
		fmt.Fprintf(env.Err, "A verification code was sent by %s. Finish with: sfecho login --passwordless --identifier <identifier> --method %s\n", ch.Method, ch.Method)
	}
	return ch, who, nil
}
