package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

type registerOptions struct {
	app appOptions
	resultOptions
	Username, Email, FirstName, LastName string
	Custom                               []string
	PasswordStdin                        bool
	guest                                guestLink // --uvid, --uvid-token-file (guestlink.go)
	otp                                  otpOptions
	init                                 initOptions
}

func newRegisterCmd(env *Env) *cobra.Command {
	o := &registerOptions{}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register a new user on an Experience Cloud site without a browser and print the tokens",
		Long: `Register a user with Headless Registration: the init step queues the user and makes the
site send a one-time password (--method email or sms); authorize with Auth-Request-Type:
user-registration and Basic identifier:otp creates the user; the code is exchanged for
tokens with PKCE.

The new password comes from SFECHO_PASSWORD, the first line of stdin with --password-stdin,
or a no-echo prompt (asked twice) on a terminal. The code comes from SFECHO_OTP, a prompt on a
terminal, or the next line of stdin, read only after the init step succeeded.

--custom key=value adds a field to customdata, which the site's registration handler
receives; a value that is a JSON literal (true, 42, null, {"a":1}) is sent as that JSON,
anything else as a string (quote it, 'zip="02134"', to force a string).`,
		Example: `  sfecho register --site https://acme.my.site.com/shop --client-id 3MVG9... \
      --username new.user@example.com --email new.user@example.com --first-name New --last-name User \
      --recaptcha "$RECAPTCHA_TOKEN" --custom privacyPolicy=true

  # a script: password, then (once the site has sent it) the code on stdin
  { printf '%s\n' "$PW"; wait_for_code; } | sfecho register ... --password-stdin -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.app.resolve(cmd, env)
			if err != nil {
				return err
			}
			in.strNoProfile("username", "SFECHO_USERNAME", &o.Username)
			o.init.resolve(in)
			if err := o.resultOptions.resolve(in); err != nil {
				return err
			}
			if o.otp.InitOnly {
				if err := o.out.only(env, "--init-only", "json", "text"); err != nil {
					return err
				}
			}
			if err := o.validate(env); err != nil {
				return err
			}
			return runRegister(cmd.Context(), env, o)
		},
	}
	fs := cmd.Flags()
	o.app.addFlags(fs)
	fs.StringVar(&o.Username, "username", "", "the new user's username (SFECHO_USERNAME; default: --email)")
	fs.StringVar(&o.Email, "email", "", "the new user's email address")
	fs.StringVar(&o.FirstName, "first-name", "", "the new user's first name")
	fs.StringVar(&o.LastName, "last-name", "", "the new user's last name (required by Salesforce)")
	fs.StringArrayVar(&o.Custom, "custom", nil, "key=value for customdata; repeatable; JSON literals are sent as JSON")
	fs.BoolVar(&o.PasswordStdin, "password-stdin", false, "read the new password from the first line of stdin")
	o.guest.addFlags(fs, "the registration")
	o.resultOptions.addFlags(cmd, true)
	o.otp.addFlags(fs)
	o.init.addFlags(fs)
	registerEnum(cmd, "method", flow.MethodEmail, flow.MethodSMS)
	return cmd
}

// validate checks every input that can be checked before the init step,
// so that a mistake costs no OTP.
func (o *registerOptions) validate(env *Env) error {
	if err := o.otp.resolve(env); err != nil {
		return err
	}
	if err := o.guest.resolve(env); err != nil {
		return err
	}
	if o.otp.Identifier != "" {
		return nil
	}
	if o.Username == "" {
		o.Username = o.Email
	}
	if o.Email == "" || o.LastName == "" {
		return usagef("register needs --email and --last-name (and --username, which defaults to the email)")
	}
	_, err := parseCustom(o.Custom)
	return err
}

func runRegister(ctx context.Context, env *Env, o *registerOptions) error {
	return runTokens(ctx, env, &o.app, &o.resultOptions, true, func(ctx context.Context, c *flow.Client) (*flow.Token, string, error) {
		ch, err := registerChallenge(ctx, env, o, c)
		if err != nil || o.otp.InitOnly {
			if err == nil {
				format, _ := o.out.resolve(env)
				err = writeChallenge(env, format, ch)
			}
			return nil, "", err
		}
		otp, err := readOTP(ctx, env, ch.Method, o.otp.Identifier != "", "--identifier")
		if err != nil {
			return nil, "", err
		}
		a := flow.OTPAuthorization(flow.RequestRegistration, *ch, otp)
		a.Capture = o.capture
		if err := o.guest.link(env, &a); err != nil {
			return nil, "", err
		}
		tok, err := c.Login(ctx, a, nil)
		return tok, o.Username, err
	})
}

// registerChallenge runs the init step (password first), or takes
// --identifier.
func registerChallenge(ctx context.Context, env *Env, o *registerOptions, c *flow.Client) (*flow.Challenge, error) {
	if ch := o.otp.known(); ch != nil {
		return ch, nil
	}
	auth, err := o.init.auth(env)
	if err != nil {
		return nil, err
	}
	custom, _ := parseCustom(o.Custom) // validated already
	pw, err := newSecret(ctx, env, secretSpec{name: "password", flag: "--password-stdin", envVar: "SFECHO_PASSWORD",
		fromStdin: o.PasswordStdin, prompt: "Password for the new user " + o.Username + ": "})
	if err != nil {
		return nil, err
	}
	ch, err := c.InitRegistration(ctx, flow.Registration{Username: o.Username, Email: o.Email,
		FirstName: o.FirstName, LastName: o.LastName, Password: pw, Custom: custom, Method: o.otp.Method, Auth: auth})
	if err != nil {
		return nil, err
	}
	if o.otp.InitOnly {
		fmt.Fprintf(env.Err, "A verification code was sent by %s. Finish with: sfecho register --identifier <identifier> --method %s\n", ch.Method, ch.Method)
	}
	return ch, nil
}

// parseCustom turns --custom key=value pairs into customdata. A value that
// parses as JSON (true, 42, null, "x", {...}, [...]) is kept as that JSON;
// anything else is a string. Numbers with leading zeros or a plus sign
// (zip codes, phone numbers) are not JSON and so stay strings.
func parseCustom(pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usagef("--custom %q: want key=value", p)
		}
		var j any
		if err := json.Unmarshal([]byte(v), &j); err == nil {
			out[k] = json.RawMessage(v)
		} else {
			out[k] = v
		}
	}
	return out, nil
}
