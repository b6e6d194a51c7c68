package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/httplog"
)

// appOptions are the flags every command that talks to a site shares:
// which site, which app, and how to reach it.
type appOptions struct {
	Site, ClientID, ClientSecretFile, RedirectURI, Scope string
	CAFile                                               string
	Insecure                                             bool
	Timeout                                              time.Duration
	Verbose                                              bool
	Profile                                              string
	OmitChallengeMethod                                  bool

	clientSecret string  // read from SFECHO_CLIENT_SECRET or the file; never a flag value
	prof         setting // the profile's settings, for keys beyond these flags
}

func (o *appOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Site, "site", "", "Experience Cloud site URL with its prefix, e.g. https://acme.my.site.com/shop (SFECHO_SITE)")
	fs.StringVar(&o.ClientID, "client-id", "", "consumer key of the app (SFECHO_CLIENT_ID)")
	fs.StringVar(&o.ClientSecretFile, "client-secret-file", "", "file holding the consumer secret, private clients only (or SFECHO_CLIENT_SECRET)")
	fs.StringVar(&o.RedirectURI, "redirect-uri", "", "callback URL registered on the app (default <site>/services/oauth2/echo) (SFECHO_REDIRECT_URI)")
	fs.StringVar(&o.Scope, "scope", "", `space-separated scopes, e.g. "api refresh_token"; omitted when empty (SFECHO_SCOPE)`)
	fs.StringVar(&o.CAFile, "ca-file", "", "PEM file of extra CA certificates to trust (SFECHO_CA_FILE)")
	fs.BoolVar(&o.Insecure, "insecure", false, "skip TLS certificate verification (tests only; warns every time)")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout (0: none)")
	fs.BoolVar(&o.OmitChallengeMethod, "omit-challenge-method", false, "send code_challenge without code_challenge_method=S256 (Salesforce documents no method parameter)")
}

// settings is one layer of configuration: a key's value and whether it
// was set. Flags beat environment variables, which beat the profile.
type setting func(key string) (string, bool)

// resolve fills unset flags from the environment and the profile, then
// validates. It must run before any use of the options.
func (o *appOptions) resolve(cmd *cobra.Command, env *Env) error {
	fs := cmd.Flags()
	o.Verbose, _ = cmd.Flags().GetBool("verbose")
	if env.getenv("SFECHO_DEBUG") == "1" {
		o.Verbose = true
	}
	o.Profile = profileName(cmd, env)
	prof, err := loadProfile(env, o.Profile)
	if err != nil {
		return err
	}
	o.prof = prof
	pick := func(flagName, envName string, dst *string) {
		if fs.Changed(flagName) {
			return
		}
		if v := env.getenv(envName); v != "" {
			*dst = v
		} else if v, ok := prof(flagName); ok {
			*dst = v
		}
	}
	pick("site", "SFECHO_SITE", &o.Site)
	pick("client-id", "SFECHO_CLIENT_ID", &o.ClientID)
	pick("redirect-uri", "SFECHO_REDIRECT_URI", &o.RedirectURI)
	pick("scope", "SFECHO_SCOPE", &o.Scope)
	pick("ca-file", "SFECHO_CA_FILE", &o.CAFile)
	pick("client-secret-file", "SFECHO_CLIENT_SECRET_FILE", &o.ClientSecretFile)
	o.Scope = strings.Join(strings.Fields(strings.ReplaceAll(o.Scope, ",", " ")), " ")
	if o.Insecure && !env.warnedInsecure {
		// Every time it is given, even when no request follows (design.md).
		env.warnedInsecure = true
		env.warnf("--insecure: TLS certificates are NOT verified; anyone on the path can read your password and tokens")
	}
	if o.Timeout < 0 {
		return usagef("--timeout must not be negative (0 means no timeout)")
	}
	return o.readSecret(env)
}

// profileName is --profile, else SFECHO_PROFILE, else "default".
func profileName(cmd *cobra.Command, env *Env) string {
	if p, _ := cmd.Flags().GetString("profile"); p != "" {
		return p
	}
	if p := env.getenv("SFECHO_PROFILE"); p != "" {
		return p
	}
	return "default"
}

func (o *appOptions) readSecret(env *Env) error {
	if o.ClientSecretFile != "" {
		b, err := os.ReadFile(o.ClientSecretFile)
		if err != nil {
			return usagef("cannot read --client-secret-file: %v", pathErr(err))
		}
		o.clientSecret = strings.TrimSpace(string(b))
		if o.clientSecret == "" {
			return usagef("--client-secret-file %s is empty", o.ClientSecretFile)
		}
		env.secrets().Add(o.clientSecret) // issue 10
		return nil
	}
	o.clientSecret = strings.TrimSpace(env.getenv("SFECHO_CLIENT_SECRET"))
	env.secrets().Add(o.clientSecret) // issue 10
	return nil
}

// pathErr drops the operation from an *os.PathError, keeping file and reason.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: "open", Path: pe.Path, Err: pe.Err}
	}
	return err
}

// client builds the flow client: site, app and an HTTP client.
func (o *appOptions) client(env *Env) (*flow.Client, error) {
	if o.ClientID == "" {
		if _, err := flow.ParseSite(o.Site); err != nil {
			return nil, err
		}
		return nil, usagef("--client-id is required (the app's consumer key; or SFECHO_CLIENT_ID)")
	}
	return o.siteClient(env)
}

// siteClient is client without an app, for the endpoints that need none
// (forgot password, protocol.md §6).
func (o *appOptions) siteClient(env *Env) (*flow.Client, error) {
	site, err := flow.ParseSite(o.Site)
	if err != nil {
		return nil, err
	}
	if o.RedirectURI != "" {
		if err := checkRedirectURI(o.RedirectURI); err != nil {
			return nil, err
		}
	}
	hc, err := o.httpClient(env)
	if err != nil {
		return nil, err
	}
	c := &flow.Client{HTTP: hc, Site: site, ClientID: o.ClientID, ClientSecret: o.clientSecret,
		RedirectURI: o.RedirectURI, Scope: o.Scope, OmitChallengeMethod: o.OmitChallengeMethod}
	if o.Verbose {
		// issue 10: narration may quote the site (URLs, scope): masked and escaped.
		c.Logf = func(f string, a ...any) { fmt.Fprintf(env.Err, "* %s\n", env.secrets().Line(fmt.Sprintf(f, a...))) }
	}
	c.Warnf = env.warnf // issue 10: e.g. a redirect the local endpoint ignored
	return c, nil
}

func checkRedirectURI(raw string) error {
	u, err := parseAbsURL(raw)
	if err != nil {
		return usagef("--redirect-uri %q is not an absolute URL", raw)
	}
	if u.Scheme == "http" {
		return flow.CheckScheme("--redirect-uri", u)
	}
	return nil
}

// httpClient builds the HTTP client from --ca-file, --insecure, --timeout
// and -v.
func (o *appOptions) httpClient(env *Env) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, usagef("cannot read --ca-file: %v", pathErr(err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usagef("--ca-file %s holds no PEM certificate", o.CAFile)
		}
		tc.RootCAs = pool
	}
	if o.Insecure {
		tc.InsecureSkipVerify = true
	}
	return newHTTPClient(env, tc, o.Verbose, o.Timeout), nil
}

// newHTTPClient builds an HTTP client with TLS settings tc, a per-request
// timeout and, when verbose, the masked trace on stderr. A custom TLS
// config turns off Go's automatic HTTP/2, which the guest flow may need
// (errors.md A17), so ForceAttemptHTTP2 is set.
func newHTTPClient(env *Env, tc *tls.Config, verbose bool, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = tc
	// issue 10: the Learner records every secret on the wire, so that
	// errors, warnings and the trace mask it wherever it turns up.
	var rt http.RoundTripper = &httplog.Learner{Base: tr, Secrets: env.secrets(), Secret: flow.SecretParam}
	if verbose {
		rt = &httplog.Transport{Base: rt, Out: env.Err, Secret: flow.SecretParam, Known: env.secrets()}
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}
