package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/sim"
)

type simOptions struct {
	Addr, Prefix, CertFile, Outbox, SecretFile string
	TLS, RequirePKCE, CredentialsInBody        bool
	Rotate                                     bool
	Callbacks                                  []string
	TokenLifetime                              time.Duration
	NoIntrospect, NoRecaptcha, FlowDisabled    bool
	InitTokenFile                              string
	FixedOTP                                   string
	setup                                      simSetup // switches for sfecho doctor's verdicts (simsetup.go)
}

func newSimCmd(env *Env) *cobra.Command {
	o := &simOptions{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated Experience Cloud site on loopback",
		Long: `Serve the simulated Experience Cloud site that sfecho's tests and demo use: headless
login, passwordless, registration, forgot password, guest, echo, token, userinfo, revoke and
introspect, as protocol.md describes them. It prints the site URL, the client id and a demo
user, then serves until interrupted. OTPs are printed on stderr (and written to --outbox).`,
		Example: `  sfecho sim --addr 127.0.0.1:8443 --tls --cert-file /tmp/sim.pem
  sfecho login --site https://127.0.0.1:8443 --ca-file /tmp/sim.pem --client-id sfecho-demo \
      --username demo@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSim(cmd.Context(), env, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	fs.BoolVar(&o.TLS, "tls", false, "serve HTTPS with a fresh self-signed certificate")
	fs.StringVar(&o.CertFile, "cert-file", "", "with --tls, write the certificate (PEM) here for --ca-file (default: a temp file)")
	fs.StringVar(&o.Prefix, "prefix", "", `site path prefix, e.g. "/shop"`)
	fs.StringVar(&o.Outbox, "outbox", "", "append every OTP the site sends to this file")
	fs.StringVar(&o.SecretFile, "client-secret-file", "", "make the app private with the secret in this file")
	fs.BoolVar(&o.RequirePKCE, "require-pkce", false, `app setting "Require PKCE"`)
	fs.BoolVar(&o.CredentialsInBody, "credentials-in-body", false, `app setting "Require user credentials in the POST body"`)
	fs.BoolVar(&o.Rotate, "rotate-refresh-tokens", false, `app setting "Enable Refresh Token Rotation"`)
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 0, "access-token lifetime (default 2h); short values exercise sfecho token's refresh")
	fs.BoolVar(&o.NoIntrospect, "no-introspect", false, "answer 404 at the introspection endpoint")
	fs.BoolVar(&o.NoRecaptcha, "no-recaptcha", false, "registration and forgot password need no reCAPTCHA token")
	fs.BoolVar(&o.FlowDisabled, "flow-disabled", false, "turn the org's code and credentials flow off (authorize answers invalid_client \"code credential flow not enabled\")")
	fs.StringVar(&o.InitTokenFile, "init-token-file", "", `"Require authentication" on every init endpoint, accepting the integration token in this file`)
	fs.StringVar(&o.FixedOTP, "fixed-otp", "", "send this code as every OTP, so a script can answer without reading the outbox")
	o.setup.addFlags(fs)
	fs.StringArrayVar(&o.Callbacks, "callback", nil, "also register this callback URL on the app, beside the site's echo URL and http://localhost|127.0.0.1[/prefix]/services/oauth2/echo; repeatable; loopback http URLs match on any port")
	return cmd
}

// prefixShape is what a site path prefix may hold.
var prefixShape = regexp.MustCompile(`^[A-Za-z0-9._~/-]*$`)

func runSim(ctx context.Context, env *Env, o *simOptions) error {
	if !prefixShape.MatchString(o.Prefix) {
		return usagef("--prefix may hold only letters, digits and . _ ~ / -")
	}
	cfg := sim.Demo()
	cfg.PathPrefix, cfg.RequirePKCE, cfg.CredentialsInBody = o.Prefix, o.RequirePKCE, o.CredentialsInBody
	cfg.RotateRefreshTokens, cfg.FixedOTP = o.Rotate, o.FixedOTP
	// The site's echo URL and a loopback echo URL on any port (what login
	// --capture local and --web serve) are registered, as a developer's app
	// would have them; --callback adds more.
	echoPath := normalizePrefix(o.Prefix) + "/services/oauth2/echo"
	cfg.RedirectURIs = append([]string{sim.SiteURLToken + "/services/oauth2/echo",
		"http://localhost" + echoPath, "http://127.0.0.1" + echoPath}, o.Callbacks...)
	cfg.AccessTokenTTL, cfg.IntrospectDisabled, cfg.FlowDisabled = o.TokenLifetime, o.NoIntrospect, o.FlowDisabled
	o.setup.apply(&cfg)
	if err := o.requireInitToken(&cfg); err != nil {
		return err
	}
	if o.NoRecaptcha {
		cfg.Registration.RequireRecaptcha, cfg.ForgotPassword.RequireRecaptcha = false, false
	}
	errw := &lockedWriter{w: env.Err}                                       // the site logs from its handlers
	cfg.Logf = func(f string, a ...any) { fmt.Fprintf(errw, f+"\n", a...) } // the site prefixes "sim: "
	if o.SecretFile != "" {
		b, err := os.ReadFile(o.SecretFile)
		if err != nil {
			return usagef("cannot read --client-secret-file: %v", pathErr(err))
		}
		cfg.ClientSecret = strings.TrimSpace(string(b))
	}
	if o.Outbox != "" {
		f, err := os.OpenFile(o.Outbox, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return usagef("cannot open --outbox: %v", pathErr(err))
		}
		defer f.Close()
		cfg.Outbox = f
	}
	srv, err := startSim(sim.New(cfg), o.Addr, normalizePrefix(o.Prefix), o.TLS)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := o.writeCert(env, srv); err != nil {
		return err
	}
	printSimBanner(env.Out, errw, cfg, srv.URL, o.CertFile)
	<-ctx.Done()
	fmt.Fprintln(errw, "sim: stopped")
	return ctx.Err() // interrupted: exit 130, like every command
}

func (o *simOptions) writeCert(env *Env, srv *simServer) error {
	if !o.TLS {
		return nil
	}
	path := o.CertFile
	if path == "" {
		f, err := os.CreateTemp("", "sfecho-sim-*.pem")
		if err != nil {
			return err
		}
		path = f.Name()
		f.Close()
	}
	if err := os.WriteFile(path, srv.CAPEM, 0o644); err != nil {
		return usagef("cannot write --cert-file: %v", pathErr(err))
	}
	o.CertFile = path
	return nil
}

// printSimBanner prints what a user needs to log in: on stdout as
// shell-quoted key='value' lines that are safe to eval, with a readable
// hint on stderr.
func printSimBanner(out, errw io.Writer, cfg sim.Config, url, caFile string) {
	u := cfg.Users[0]
	callbacks := make([]string, len(cfg.RedirectURIs))
	for i, c := range cfg.RedirectURIs {
		callbacks[i] = strings.Replace(c, sim.SiteURLToken, url, 1)
	}
	var b strings.Builder
	for _, kv := range [][2]string{{"site", url}, {"client_id", cfg.ClientID}, {"username", u.Username},
		{"password", u.Password}, {"ca_file", caFile}, {"callbacks", strings.Join(callbacks, " ")}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s=%s\n", kv[0], shellQuote(kv[1]))
		}
	}
	_, _ = io.WriteString(out, b.String())
	fmt.Fprintf(errw, "sim: serving the simulated site at %s (Ctrl-C to stop)\n", url)
}

func normalizePrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// lockedWriter serializes writes from concurrent goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// requireInitToken turns on "Require authentication" for every headless
// init flow when --init-token-file is given.
func (o *simOptions) requireInitToken(cfg *sim.Config) error {
	if o.InitTokenFile == "" {
		return nil
	}
	b, err := os.ReadFile(o.InitTokenFile)
	if err != nil {
		return usagef("cannot read --init-token-file: %v", pathErr(err))
	}
	tok := strings.TrimSpace(string(b))
	for _, f := range []*sim.Flow{&cfg.Passwordless, &cfg.Registration, &cfg.ForgotPassword} {
		f.RequireAuth, f.AuthToken = true, tok
	}
	return nil
}
