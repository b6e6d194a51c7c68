package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/doctor"
	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/safetext"
)

// doctorOptions are the inputs of sfecho doctor.
type doctorOptions struct {
	app               appOptions
	init              initOptions
	out               output
	Origin            string
	Probes            []string
	Username          string
	PasswordStdin     bool
	CredentialsInBody bool
}

func newDoctorCmd(env *Env) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Say what the site and app have set up for headless login, and what not",
		Long: `Check an Experience Cloud site and its app from harmless requests, one line per check
(passed, failed, or could not tell), each failure with the advice line of its entry in
docs/errors.md: the --site URL; DNS, TCP and TLS (certificate, version, HTTP/2); the echo
endpoint (and, with --origin, its CORS); OpenID discovery; the app and its flow, from one
headless authorize with a throwaway identity under .invalid that cannot exist; whether the
app requires PKCE; and the clock against the site's Date header.

Nothing in the default run can lock out, create or message anyone. --probe adds requests
that make the site do something, chosen by you:
  passwordless     an init for a username under .invalid (no code can be delivered)
  forgot-password  a forgot-password init for that username (answered otp_sent for anyone)
  guest            a guest authorize with a fresh UVID (the code is never exchanged)

With --username (password from a prompt, --password-stdin or SFECHO_PASSWORD) doctor also
logs in, saves nothing, reports the scopes, JWT or opaque tokens, the refresh token,
introspection, userinfo and the community URL, and revokes the tokens.

Output: aligned lines on a terminal, -o json (an array of {check, status, detail, advice,
errors_md}) otherwise. Exit 0 when every check passed, 5 when something is not set up, 6
when the site cannot be reached (3 when the --username credentials were refused, 2 for a
--site that cannot be a site URL).`,
		Example: `  sfecho doctor --site https://acme.my.site.com/shop --client-id 3MVG9...

  # the single-page-app case, plus the headless flows
  sfecho doctor --site "$SITE" --client-id "$CID" --origin https://app.example.com \
      --probe passwordless,forgot-password,guest --recaptcha "$TOKEN"

  # and a real login (nothing saved), with the whole run recorded
  sfecho doctor --site "$SITE" --client-id "$CID" --username alice@example.com --har doctor.har -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.app.resolve(cmd, env)
			if err != nil {
				return err
			}
			o.init.resolve(in)
			if err := in.boolean("credentials-in-body", "", &o.CredentialsInBody); err != nil {
				return err
			}
			return runDoctor(cmd.Context(), env, o)
		},
	}
	fs := cmd.Flags()
	o.app.addFlags(fs)
	o.init.addFlags(fs)
	fs.StringVar(&o.Origin, "origin", "", "check that the echo endpoint's CORS allows this origin, e.g. https://app.example.com")
	fs.StringSliceVar(&o.Probes, "probe", nil, "opt-in probes that make the site do something: passwordless, forgot-password, guest")
	fs.StringVar(&o.Username, "username", "", "also log in as this user (nothing is saved) and report on the tokens")
	fs.BoolVar(&o.PasswordStdin, "password-stdin", false, "with --username, read the password from the first line of stdin")
	fs.BoolVar(&o.CredentialsInBody, "credentials-in-body", false, "start the probes with credentials in the POST body instead of Basic")
	o.out.addFlag(cmd, "", "json", "text")
	registerEnum(cmd, "probe", doctor.Probes...)
	return cmd
}

func runDoctor(ctx context.Context, env *Env, o *doctorOptions) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	opts, err := o.options(env)
	if err != nil {
		return err
	}
	checks := doctor.Run(ctx, opts)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if format == "json" {
		err = writeDoctorJSON(env.Out, checks, env.secrets())
	} else {
		err = writeDoctorText(env.Out, checks, env.secrets())
	}
	if err != nil {
		return err
	}
	if code := doctorExit(checks); code != ExitOK {
		return &Error{Code: code, Silent: true} // the report said why
	}
	return nil
}

// options validates the inputs and gathers them for doctor.Run.
func (o *doctorOptions) options(env *Env) (doctor.Options, error) {
	var d doctor.Options
	if o.app.Site == "" {
		return d, o.app.choice.missing("site", "SFECHO_SITE", "the Experience Cloud site URL")
	}
	if o.app.RedirectURI != "" {
		if err := checkRedirectURI(o.app.RedirectURI); err != nil {
			return d, err
		}
	}
	origin, err := checkOrigin(o.Origin)
	if err != nil {
		return d, err
	}
	for _, p := range o.Probes {
		if !slices.Contains(doctor.Probes, p) {
			return d, usagef("--probe must be one or more of %s, not %q", strings.Join(doctor.Probes, ", "), p)
		}
	}
	if o.PasswordStdin && o.Username == "" {
		return d, usagef("--password-stdin needs --username")
	}
	hc, err := o.app.transport.httpClient(env, o.app.Verbose)
	if err != nil {
		return d, err
	}
	d = doctor.Options{HTTP: hc, Site: o.app.Site, ClientID: o.app.ClientID, ClientSecret: o.app.transport.clientSecret,
		RedirectURI: o.app.RedirectURI, Scope: o.app.Scope, CredentialsInBody: o.CredentialsInBody,
		Insecure: o.app.transport.Insecure, Origin: origin, Probes: o.Probes, Username: o.Username, Now: env.Now}
	if slices.Contains(o.Probes, doctor.ProbePasswordless) || slices.Contains(o.Probes, doctor.ProbeForgotPassword) {
		if d.Init, err = o.init.auth(env); err != nil {
			return d, err
		}
	}
	if o.Username != "" {
		d.Password, err = secretInput(env, secretSpec{name: "password", flag: "--password-stdin", envVar: "SFECHO_PASSWORD",
			fromStdin: o.PasswordStdin, prompt: "Password for " + o.Username + ": "})
	}
	return d, err
}

// checkOrigin validates --origin: scheme and host (and port) only, as a
// browser sends it.
func checkOrigin(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := parseAbsURL(raw)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", usagef("--origin must be an origin such as https://app.example.com, not %q", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// doctorExit is 6 when the site cannot be reached, else 5 when something
// is not set up, else 3 when the --username credentials were refused, else
// 2 for a bad --site, else 0.
func doctorExit(checks []doctor.Check) int {
	code := ExitOK
	rank := map[int]int{ExitOK: 0, ExitUsage: 1, ExitRejected: 2, ExitSetup: 3, ExitNetwork: 4}
	for _, c := range checks {
		if c.Status != doctor.Failed {
			continue
		}
		cc := ExitSetup
		switch c.Kind {
		case flow.KindNetwork:
			cc = ExitNetwork
		case flow.KindUsage:
			cc = ExitUsage
		case flow.KindRejected:
			cc = ExitRejected
		}
		if rank[cc] > rank[code] {
			code = cc
		}
	}
	return code
}

func writeDoctorJSON(w io.Writer, checks []doctor.Check, known *safetext.Secrets) error {
	for i := range checks { // the site's text, masked as everywhere
		checks[i].Detail = known.Mask(checks[i].Detail)
	}
	if checks == nil {
		checks = []doctor.Check{}
	}
	b, err := json.MarshalIndent(checks, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeDoctorText prints one aligned line per check, the advice under each
// failure, and a summary.
func writeDoctorText(w io.Writer, checks []doctor.Check, known *safetext.Secrets) error {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Check))
	}
	label := map[doctor.Status]string{doctor.Passed: "ok", doctor.Failed: "FAIL", doctor.Unknown: "?"}
	count := map[doctor.Status]int{}
	var b strings.Builder
	for _, c := range checks {
		count[c.Status]++
		fmt.Fprintf(&b, "%-4s  %-*s  %s\n", label[c.Status], width, displayText(c.Check), printable(known, c.Detail))
		if c.Advice != "" {
			hint := "hint: " + printable(known, c.Advice)
			if c.ErrorsMD != "" {
				hint += " (docs/errors.md " + c.ErrorsMD + ")"
			}
			fmt.Fprintf(&b, "%-4s  %-*s  %s\n", "", width, "", hint)
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed, %d could not tell\n", count[doctor.Passed], count[doctor.Failed], count[doctor.Unknown])
	_, err := io.WriteString(w, b.String())
	return err
}
