package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
)

// initOptions are the inputs every headless init endpoint shares
// (passwordless, registration, forgot password): reCAPTCHA, the
// integration user's Bearer token and the email template (issue 3 §5).
type initOptions struct {
	Recaptcha           string
	RecaptchaEnterprise bool
	RecaptchaSiteKey    string
	RecaptchaProject    string
	RecaptchaAction     string
	InitTokenFile       string
	EmailTemplate       string
}

// addFlags registers the init flags. There is deliberately no flag taking
// the init token's value: it is a secret, and argv is visible in ps and
// shell history; it comes from SFECHO_INIT_TOKEN or --init-token-file.
// A reCAPTCHA token is short-lived and single-use, so --recaptcha may take
// it; the trace masks it anyway.
func (o *initOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Recaptcha, "recaptcha", "", "reCAPTCHA token for the init step, when the site requires one (SFECHO_RECAPTCHA)")
	fs.BoolVar(&o.RecaptchaEnterprise, "recaptcha-enterprise", false, "send the token as a reCAPTCHA Enterprise recaptchaevent (needs --recaptcha-site-key and --recaptcha-project)")
	fs.StringVar(&o.RecaptchaSiteKey, "recaptcha-site-key", "", "reCAPTCHA Enterprise site key (SFECHO_RECAPTCHA_SITE_KEY)")
	fs.StringVar(&o.RecaptchaProject, "recaptcha-project", "", "reCAPTCHA Enterprise Google Cloud project id (SFECHO_RECAPTCHA_PROJECT)")
	fs.StringVar(&o.RecaptchaAction, "recaptcha-action", "login", "reCAPTCHA Enterprise expectedAction")
	fs.StringVar(&o.InitTokenFile, "init-token-file", "", "file holding an integration user's access token for sites that require authentication on init (or SFECHO_INIT_TOKEN)")
	fs.StringVar(&o.EmailTemplate, "email-template", "", "emailtemplate for sites that allowlist OTP email templates (SFECHO_EMAIL_TEMPLATE)")
}

// auth resolves the init inputs from flags, then the environment.
func (o *initOptions) auth(env *Env) (flow.InitAuth, error) {
	a := flow.InitAuth{Recaptcha: firstSet(o.Recaptcha, env.getenv("SFECHO_RECAPTCHA")),
		EmailTemplate: firstSet(o.EmailTemplate, env.getenv("SFECHO_EMAIL_TEMPLATE"))}
	tok, err := o.initToken(env)
	if err != nil {
		return a, err
	}
	a.Token = tok
	if !o.RecaptchaEnterprise {
		return a, nil
	}
	ev := &flow.RecaptchaEvent{Token: a.Recaptcha, ExpectedAction: o.RecaptchaAction,
		SiteKey:   firstSet(o.RecaptchaSiteKey, env.getenv("SFECHO_RECAPTCHA_SITE_KEY")),
		ProjectID: firstSet(o.RecaptchaProject, env.getenv("SFECHO_RECAPTCHA_PROJECT"))}
	if ev.Token == "" || ev.SiteKey == "" || ev.ProjectID == "" {
		return a, usagef("--recaptcha-enterprise needs --recaptcha (or SFECHO_RECAPTCHA), --recaptcha-site-key and --recaptcha-project")
	}
	a.Recaptcha, a.RecaptchaEvent = "", ev
	return a, nil
}

// initToken reads the integration token: --init-token-file, else
// SFECHO_INIT_TOKEN.
func (o *initOptions) initToken(env *Env) (string, error) {
	if o.InitTokenFile == "" {
		return strings.TrimSpace(env.getenv("SFECHO_INIT_TOKEN")), nil
	}
	return secretFile("--init-token-file", o.InitTokenFile)
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// otpOptions are the OTP step's inputs: the verification method, and the
// two-step mode for scripts (--init-only, then --identifier).
type otpOptions struct {
	Method     string
	InitOnly   bool
	Identifier string
}

func (o *otpOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Method, "method", "email", "how the site sends the one-time password: email or sms")
	fs.BoolVar(&o.InitOnly, "init-only", false, `run the init step only and print {"identifier","method"} on stdout`)
	fs.StringVar(&o.Identifier, "identifier", "", "skip the init step: redeem an OTP for this identifier from an earlier --init-only (SFECHO_IDENTIFIER)")
}

// resolve validates the method and reads SFECHO_IDENTIFIER.
func (o *otpOptions) resolve(env *Env) error {
	o.Method = strings.ToLower(strings.TrimSpace(o.Method))
	if err := flow.CheckMethod(o.Method); err != nil {
		return err
	}
	if o.Identifier == "" {
		o.Identifier = strings.TrimSpace(env.getenv("SFECHO_IDENTIFIER"))
	}
	if o.InitOnly && o.Identifier != "" {
		return usagef("--init-only and --identifier exclude each other: the first starts a flow, the second finishes one")
	}
	return nil
}

// known returns the challenge given with --identifier, or nil.
func (o *otpOptions) known() *flow.Challenge {
	if o.Identifier == "" {
		return nil
	}
	return &flow.Challenge{Identifier: o.Identifier, Method: o.Method}
}

// writeChallenge prints an init step's result for --init-only. The
// identifier is masked in traces but printed here, because it was asked
// for: it is useless without the OTP.
func writeChallenge(env *Env, ch *flow.Challenge) error {
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "%s\n", b)
	return err
}

// readOTP reads the one-time password once the init step has succeeded:
// SFECHO_OTP, else a prompt on the terminal, else the next line of stdin
// (so a script can wait for the code and then write it).
// secondStep is true when the second step of the two-step form is the one
// running; otherwise the advice names flag, the way to that step.
func readOTP(ctx context.Context, env *Env, method string, secondStep bool, flag string) (string, error) {
	later := flag
	if secondStep {
		later = ""
	}
	spec := secretSpec{name: "OTP", envVar: "SFECHO_OTP", lineFallback: true,
		prompt: "Verification code (sent by " + method + "): "}
	if env.getenv("SFECHO_OTP") == "" && !env.InTTY {
		fmt.Fprintf(env.Err, "Reading the verification code (sent by %s) from the next line of stdin.\n", method)
	}
	v, err := awaitInput(ctx, env, func() (string, error) { return secretInput(env, spec) })
	if errors.Is(err, context.Canceled) {
		return "", err
	}
	if err != nil {
		advice := "give the code as SFECHO_OTP or the next stdin line"
		if later != "" {
			advice += ", or use --init-only and later " + later
		}
		return "", &Error{Code: ExitUsage, Msg: err.Error(), Advice: advice}
	}
	return strings.TrimSpace(v), nil
}

// newSecret reads a new password: envVar, else twice on the terminal
// (they must match), else the next line of stdin (when lineFallback) or
// the first with fromStdin.
func newSecret(ctx context.Context, env *Env, s secretSpec) (string, error) {
	if env.getenv(s.envVar) != "" || !env.InTTY || s.fromStdin || env.ReadSecret == nil {
		return awaitInput(ctx, env, func() (string, error) { return secretInput(env, s) })
	}
	// Asked twice; a mismatch asks again (three tries), since the OTP is
	// already spent on this attempt otherwise.
	for try := 1; ; try++ {
		first, err := secretInput(env, s)
		if err != nil {
			return "", err
		}
		again, err := env.ReadSecret("Repeat the " + s.name + ": ")
		if err != nil {
			return "", usagef("cannot read the %s from the terminal: %v", s.name, err)
		}
		if again == first {
			return first, nil
		}
		if try == 3 {
			return "", usagef("the two %ss did not match, three times", s.name)
		}
		fmt.Fprintf(env.Err, "The two %ss do not match; try again.\n", s.name)
	}
}

// awaitInput runs read, but when stdin is not a terminal it gives up as
// soon as ctx ends: a script may never write the line, and Ctrl-C must
// still end sfecho (exit 130). The abandoned read ends with the process.
// A terminal prompt is left to finish, so that it can restore echo.
func awaitInput(ctx context.Context, env *Env, read func() (string, error)) (string, error) {
	if env.InTTY {
		return read()
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := read()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
