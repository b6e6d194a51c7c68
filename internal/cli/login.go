package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

// loginOptions are the inputs of sfecho login.
type loginOptions struct {
	app appOptions
	resultOptions
	Username          string
	PasswordStdin     bool
	CredentialsInBody bool
	web               webOptions          // --web browser login (web.go)
	pwl               passwordlessOptions // --passwordless, --login-hint, --uvid (passwordless.go)
}

func newLoginCmd(env *Env) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log a user into an Experience Cloud site without a browser and print the tokens",
		Long: `Log a user in with the Authorization Code and Credentials Flow
(response_type=code_credentials, Auth-Request-Type: Named-User) and PKCE, then print the
token response.

The password comes from a no-echo prompt on a terminal, from the first line of stdin with
--password-stdin, or from SFECHO_PASSWORD. No flag takes a secret's value.

With --passwordless the site sends a one-time password by email or SMS (--method) instead:
init, then the code (SFECHO_OTP, a prompt on a terminal, or the next line of stdin), then
authorize with Auth-Request-Type: passwordless-login. --init-only stops after the init and
prints {"identifier","method"}; a later --identifier call redeems the code. --login-hint
logs in with any identifier the site's discovery handler knows; --uvid carries a guest's
context (sfecho guest) into the login.

--capture local serves the app's loopback callback itself and takes the code from it. --web
opens the site's own login page in a browser (response_type=code with PKCE) for users who
need SSO or MFA, and captures the code on the same local endpoint.`,
		Example: `  # interactive: prompts for the password
  sfecho login --site https://acme.my.site.com/shop --client-id 3MVG9... --username alice@example.com

  # in a script: password on stdin, access token on stdout
  printf '%s\n' "$PW" | sfecho login --site "$SITE" --client-id "$CID" --username bot@example.com \
      --password-stdin -o token

  # capture the code on a local echo endpoint (the app's callback is a loopback URL)
  sfecho login --capture local --redirect-uri http://localhost:1717/OauthRedirect --site "$SITE" --client-id "$CID" --username alice@example.com

  # through the site's own login page in a browser (SSO, MFA)
  sfecho login --web --site "$SITE" --client-id "$CID" --redirect-uri http://localhost:1717/OauthRedirect

  # passwordless: the code is asked for once the site has sent it
  sfecho login --passwordless --method email --site "$SITE" --client-id "$CID" --username alice@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.resolve(cmd, env); err != nil {
				return err
			}
			return runLogin(cmd.Context(), env, o)
		},
	}
	fs := cmd.Flags()
	o.app.addFlags(fs)
	fs.StringVar(&o.Username, "username", "", "the user's username (SFECHO_USERNAME)")
	fs.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the password from the first line of stdin")
	fs.BoolVar(&o.CredentialsInBody, "credentials-in-body", false, `send username/password as form fields (app setting "Require user credentials in the POST body")`)
	o.resultOptions.addFlags(cmd, true)
	o.web.addFlags(fs)
	o.pwl.addFlags(fs)
	registerEnum(cmd, "method", flow.MethodEmail, flow.MethodSMS)
	return cmd
}

// resolve settles every input of a login before anything is sent.
func (o *loginOptions) resolve(cmd *cobra.Command, env *Env) error {
	in, err := o.app.resolve(cmd, env)
	if err != nil {
		return err
	}
	in.str("username", "SFECHO_USERNAME", &o.Username)
	o.pwl.init.resolve(in)
	if err := in.boolean("credentials-in-body", "", &o.CredentialsInBody); err != nil {
		return err
	}
	if err := o.resultOptions.resolve(in); err != nil {
		return err
	}
	if o.pwl.otp.InitOnly {
		if err := o.out.only(env, "--init-only", "json", "text"); err != nil {
			return err
		}
	}
	if !o.web.Web && (cmd.Flags().Changed("no-browser") || cmd.Flags().Changed("login-timeout")) {
		return usagef("--no-browser and --login-timeout apply only with --web")
	}
	return o.pwl.validate(cmd, env, o.web.Web)
}

func runLogin(ctx context.Context, env *Env, o *loginOptions) error {
	obtain := o.passwordLogin
	switch {
	case o.web.Web:
		if err := o.checkWeb(); err != nil {
			return err
		}
		obtain = o.webLogin
	case o.pwl.Passwordless:
		obtain = o.passwordlessLogin
	}
	return runTokens(ctx, env, &o.app, &o.resultOptions, true, func(ctx context.Context, c *flow.Client) (*flow.Token, string, error) {
		return obtain(ctx, env, c)
	})
}

// passwordLogin is the Named-User login with a password.
func (o *loginOptions) passwordLogin(ctx context.Context, env *Env, c *flow.Client) (*flow.Token, string, error) {
	user, err := loginName(env, o)
	if err != nil {
		return nil, "", err
	}
	pw, err := secretInput(env, secretSpec{name: "password", flag: "--password-stdin", envVar: "SFECHO_PASSWORD",
		fromStdin: o.PasswordStdin, prompt: "Password for " + user + ": "})
	if err != nil {
		return nil, "", err
	}
	a := flow.Authorization{User: user, Secret: pw, InBody: o.CredentialsInBody, Capture: o.capture}
	if err := o.pwl.link(env, &a); err != nil {
		return nil, "", err
	}
	tok, err := c.Login(ctx, a, nil)
	return tok, user, err
}
