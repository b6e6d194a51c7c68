package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

type forgotOptions struct {
	app      appOptions
	Username string
	InitOnly bool
	SkipInit bool
	out      output
	init     initOptions
}

func newForgotPasswordCmd(env *Env) *cobra.Command {
	o := &forgotOptions{}
	cmd := &cobra.Command{
		Use:   "forgot-password",
		Short: "Reset a user's password with a one-time password (headless forgot password)",
		Long: `Reset a password with Headless Forgot Password: the init step makes the site email a
one-time password, then the code and the new password change it. The site answers the init
step the same way whether or not the user exists, and so does sfecho.

The code comes from SFECHO_OTP, a prompt on a terminal, or the next line of stdin (read only
after the init step succeeded). The new password comes from SFECHO_NEW_PASSWORD, a no-echo
prompt asked twice on a terminal, or the line after the code on stdin.

For two-step scripts, --init-only sends the code and exits; a later --skip-init call
changes the password.`,
		Example: `  sfecho forgot-password --site https://acme.my.site.com/shop \
      --username alice@example.com --recaptcha "$RECAPTCHA_TOKEN"

  # two steps in a script
  sfecho forgot-password --username alice@example.com --recaptcha "$TOKEN" --init-only
  SFECHO_OTP=123456 SFECHO_NEW_PASSWORD="$NEWPW" sfecho forgot-password --username alice@example.com --skip-init`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.app.resolve(cmd, env)
			if err != nil {
				return err
			}
			in.str("username", "SFECHO_USERNAME", &o.Username)
			o.init.resolve(in)
			if o.InitOnly && o.SkipInit {
				return usagef("--init-only and --skip-init exclude each other")
			}
			return runForgot(cmd.Context(), env, o)
		},
	}
	fs := cmd.Flags()
	o.app.addFlags(fs)
	// The forgot-password endpoint takes no app: these flags mean nothing
	// here (they stay accepted, so a shared profile or script still works).
	for _, f := range []string{"client-id", "client-secret-file", "redirect-uri", "scope", "omit-challenge-method", "challenge-method", "trust-community-url"} {
		_ = fs.MarkHidden(f)
	}
	fs.StringVar(&o.Username, "username", "", "the user's username (SFECHO_USERNAME)")
	fs.BoolVar(&o.InitOnly, "init-only", false, "send the code and exit; finish later with --skip-init")
	fs.BoolVar(&o.SkipInit, "skip-init", false, "the code was already sent (by --init-only): only change the password")
	o.out.addFlag(cmd, "", "json", "text")
	o.init.addFlags(fs)
	return cmd
}

// forgotSent is printed after the init step whatever the site knows of the
// user, so sfecho reveals nothing either (protocol.md §6).
const forgotSent = "If %s is a member of this site, a verification code is on its way by email.\n"

func runForgot(ctx context.Context, env *Env, o *forgotOptions) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	user, err := username(env, o.Username)
	if err != nil {
		return err
	}
	auth, err := o.init.auth(env)
	if err != nil {
		return err
	}
	c, err := o.app.siteClient(env) // the endpoint takes no client_id
	if err != nil {
		return err
	}
	if !o.SkipInit {
		if err := c.ForgotPassword(ctx, user, auth); err != nil {
			return err
		}
		fmt.Fprintf(env.Err, forgotSent, user)
		if o.InitOnly {
			return writeForgot(env, format, user, "otp_sent")
		}
	}
	otp, err := readOTP(ctx, env, flow.MethodEmail, o.SkipInit, "--skip-init")
	if err != nil {
		return err
	}
	pw, err := newSecret(ctx, env, secretSpec{name: "new password", envVar: "SFECHO_NEW_PASSWORD", lineFallback: true,
		prompt: "New password for " + user + ": "})
	if err != nil {
		return err
	}
	if err := c.ChangePassword(ctx, user, otp, pw, auth); err != nil {
		return err
	}
	return writeForgot(env, format, user, "success")
}

// writeForgot prints the outcome: {"username","status_code"} as JSON, or a
// sentence.
func writeForgot(env *Env, format, user, status string) error {
	if format == "json" {
		b, _ := json.Marshal(map[string]string{"username": user, "status_code": status})
		_, err := fmt.Fprintf(env.Out, "%s\n", b)
		return err
	}
	msg := "Password changed for " + user + ".\n"
	if status != "success" {
		msg = "Code requested; finish with: sfecho forgot-password --username " + user + " --skip-init\n"
	}
	_, err := fmt.Fprint(env.Out, msg)
	return err
}
