package cli

import (
	"github.com/sfecho/sfecho/internal/flow"
	"github.com/spf13/pflag"
)

// initOptions are the inputs every headless init endpoint shares
// (passwordless, registration, forgot password): reCAPTCHA, the
// integration user's Bearer token and the email template (protocol.md §4–§6).
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

// resolve settles the init inputs: the flag, else the environment (a
// reCAPTCHA token is per request, so no profile supplies these).
func (o *initOptions) resolve(in layers) {
	in.strNoProfile("recaptcha", "SFECHO_RECAPTCHA", &o.Recaptcha)
	in.strNoProfile("email-template", "SFECHO_EMAIL_TEMPLATE", &o.EmailTemplate)
	in.strNoProfile("recaptcha-site-key", "SFECHO_RECAPTCHA_SITE_KEY", &o.RecaptchaSiteKey)
	in.strNoProfile("recaptcha-project", "SFECHO_RECAPTCHA_PROJECT", &o.RecaptchaProject)
}

// auth builds the init step's authentication from the resolved inputs and
// the integration token.
func (o *initOptions) auth(env *Env) (flow.InitAuth, error) {
	a := flow.InitAuth{Recaptcha: o.Recaptcha, EmailTemplate: o.EmailTemplate}
	tok, err := o.initToken(env)
	if err != nil {
		return a, err
	}
	a.Token = tok
	if !o.RecaptchaEnterprise {
		return a, nil
	}
	ev := &flow.RecaptchaEvent{Token: a.Recaptcha, ExpectedAction: o.RecaptchaAction,
		SiteKey: o.RecaptchaSiteKey, ProjectID: o.RecaptchaProject}
	if ev.Token == "" || ev.SiteKey == "" || ev.ProjectID == "" {
		return a, usagef("--recaptcha-enterprise needs --recaptcha (or SFECHO_RECAPTCHA), --recaptcha-site-key and --recaptcha-project")
	}
	a.Recaptcha, a.RecaptchaEvent = "", ev
	return a, nil
}

// initToken reads the integration token: --init-token-file, else
// SFECHO_INIT_TOKEN.
func (o *initOptions) initToken(env *Env) (string, error) {
	return fileOrEnvSecret(env, "--init-token-file", o.InitTokenFile, "SFECHO_INIT_TOKEN")
}
