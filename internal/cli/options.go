package cli

import (
	"crypto/tls"
	"crypto/x509"
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

// transportOptions say how to reach a site: TLS trust, the timeout, and the
// app's secret (private clients). Every command that talks to a site has
// them, declared here once.
type transportOptions struct {
	CAFile, ClientSecretFile string
	Insecure                 bool
	Timeout                  time.Duration

	clientSecret string // from SFECHO_CLIENT_SECRET or the file; never a flag value
}

func (t *transportOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&t.ClientSecretFile, "client-secret-file", "", "file holding the consumer secret, private clients only (or SFECHO_CLIENT_SECRET)")
	fs.StringVar(&t.CAFile, "ca-file", "", "PEM file of extra CA certificates to trust (SFECHO_CA_FILE)")
	fs.BoolVar(&t.Insecure, "insecure", false, "skip TLS certificate verification (tests only; warns every time)")
	fs.DurationVar(&t.Timeout, "timeout", 30*time.Second, "per-request timeout (0: none)")
}

func (t *transportOptions) resolve(env *Env, in layers) error {
	in.str("ca-file", "SFECHO_CA_FILE", &t.CAFile)
	in.str("client-secret-file", "SFECHO_CLIENT_SECRET_FILE", &t.ClientSecretFile)
	if t.Insecure && !env.warnedInsecure {
		// Every time it is given, even when no request follows (design.md).
		env.warnedInsecure = true
		env.warnf("--insecure: TLS certificates are NOT verified; anyone on the path can read your password and tokens")
	}
	if t.Timeout < 0 {
		return usagef("--timeout must not be negative (0 means no timeout)")
	}
	return t.readSecret(env)
}

// readSecret reads the client secret: the file, else SFECHO_CLIENT_SECRET.
func (t *transportOptions) readSecret(env *Env) error {
	v, err := fileOrEnvSecret(env, "--client-secret-file", t.ClientSecretFile, "SFECHO_CLIENT_SECRET")
	t.clientSecret = v
	return err
}

// appOptions are the flags every command that talks to a site with an app
// shares: which site, which app, how to speak to it, and how to reach it.
type appOptions struct {
	Site, ClientID, RedirectURI, Scope string
	ChallengeMethod                    string
	OmitChallengeMethod                bool // hidden alias of --challenge-method none
	TrustCommunityURLs                 []string
	Verbose                            bool
	Profile                            string
	transport                          transportOptions

	choice profileChoice // the profile and what the config file says of it
}

func (o *appOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Site, "site", "", "Experience Cloud site URL with its prefix, e.g. https://acme.my.site.com/shop (SFECHO_SITE)")
	fs.StringVar(&o.ClientID, "client-id", "", "consumer key of the app (SFECHO_CLIENT_ID)")
	fs.StringVar(&o.RedirectURI, "redirect-uri", "", "callback URL registered on the app (default <site>/services/oauth2/echo) (SFECHO_REDIRECT_URI)")
	fs.StringVar(&o.Scope, "scope", "", `space-separated scopes, e.g. "api refresh_token"; omitted when empty (SFECHO_SCOPE)`)
	o.transport.addFlags(fs)
	fs.StringVar(&o.ChallengeMethod, "challenge-method", "auto", "when to send code_challenge_method=S256: auto (headless: none, --web: S256), S256 or none (SFECHO_CHALLENGE_METHOD)")
	fs.BoolVar(&o.OmitChallengeMethod, "omit-challenge-method", false, "same as --challenge-method none")
	_ = fs.MarkHidden("omit-challenge-method")
	fs.StringArrayVar(&o.TrustCommunityURLs, "trust-community-url", nil, "also send the code to this sfdc_community_url, which is neither the site's host nor a Salesforce site domain (repeatable; SFECHO_TRUST_COMMUNITY_URL)")
}

// resolve settles the shared inputs (flag > env > profile > default) and
// returns the layers, for the command's own flags.
func (o *appOptions) resolve(cmd *cobra.Command, env *Env) (layers, error) {
	o.Verbose, _ = cmd.Flags().GetBool("verbose")
	if env.getenv("SFECHO_DEBUG") == "1" {
		o.Verbose = true
	}
	choice, err := chooseProfile(cmd, env)
	if err != nil {
		return layers{}, err
	}
	o.choice, o.Profile = choice, choice.Name
	in := newLayers(cmd, env, choice.prof)
	in.str("site", "SFECHO_SITE", &o.Site)
	in.str("client-id", "SFECHO_CLIENT_ID", &o.ClientID)
	in.str("redirect-uri", "SFECHO_REDIRECT_URI", &o.RedirectURI)
	in.str("scope", "SFECHO_SCOPE", &o.Scope)
	in.str("challenge-method", "SFECHO_CHALLENGE_METHOD", &o.ChallengeMethod)
	in.list("trust-community-url", "SFECHO_TRUST_COMMUNITY_URL", &o.TrustCommunityURLs)
	o.Scope = strings.Join(strings.Fields(strings.ReplaceAll(o.Scope, ",", " ")), " ")
	return in, o.transport.resolve(env, in)
}

// client builds the flow client: site, app and an HTTP client.
func (o *appOptions) client(env *Env) (*flow.Client, error) {
	if o.ClientID == "" {
		if o.Site == "" {
			return nil, o.choice.missing("site", "SFECHO_SITE", "the Experience Cloud site URL")
		}
		if _, err := flow.ParseSite(o.Site); err != nil {
			return nil, err
		}
		return nil, o.choice.missing("client-id", "SFECHO_CLIENT_ID", "the app's consumer key")
	}
	return o.siteClient(env)
}

// siteClient is client without an app, for the endpoints that need none
// (forgot password, protocol.md §6).
func (o *appOptions) siteClient(env *Env) (*flow.Client, error) {
	if o.Site == "" {
		return nil, o.choice.missing("site", "SFECHO_SITE", "the Experience Cloud site URL")
	}
	site, err := flow.ParseSite(o.Site)
	if err != nil {
		return nil, err
	}
	if o.RedirectURI != "" {
		if err := checkRedirectURI(o.RedirectURI); err != nil {
			return nil, err
		}
	}
	method, err := o.challengeMethod()
	if err != nil {
		return nil, err
	}
	hc, err := o.transport.httpClient(env, o.Verbose)
	if err != nil {
		return nil, err
	}
	c := &flow.Client{HTTP: hc, Site: site, ClientID: o.ClientID, ClientSecret: o.transport.clientSecret,
		RedirectURI: o.RedirectURI, Scope: o.Scope, ChallengeMethod: method, TrustedCommunityURLs: o.TrustCommunityURLs}
	if o.Verbose {
		// issue 10: narration may quote the site (URLs, scope): masked and escaped.
		c.Logf = func(f string, a ...any) { fmt.Fprintf(env.Err, "* %s\n", env.secrets().Line(fmt.Sprintf(f, a...))) }
	}
	c.Warnf = env.warnf // issue 10: e.g. a redirect the local endpoint ignored
	return c, nil
}

// challengeMethod reads --challenge-method (and its hidden alias) and
// checks --trust-community-url (README, "Wire details").
func (o *appOptions) challengeMethod() (flow.ChallengeMethod, error) {
	method, err := flow.ParseChallengeMethod(o.ChallengeMethod)
	if err != nil {
		return method, usagef("--challenge-method must be auto, S256 or none, not %q", o.ChallengeMethod)
	}
	if o.OmitChallengeMethod {
		method = flow.MethodNone
	}
	for _, t := range o.TrustCommunityURLs {
		if u, err := parseAbsURL(t); err != nil || u.Scheme != "https" {
			return method, usagef("--trust-community-url %q must be an absolute https:// URL", t)
		}
	}
	return method, nil
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
func (t *transportOptions) httpClient(env *Env, verbose bool) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, usagef("cannot read --ca-file: %v", pathErr(err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usagef("--ca-file %s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.Insecure {
		tc.InsecureSkipVerify = true
	}
	return newHTTPClient(env, tc, verbose, t.Timeout), nil
}

// newHTTPClient builds an HTTP client with TLS settings tc, a per-request
// timeout and, when verbose, the masked trace on stderr. A custom TLS
// config turns off Go's automatic HTTP/2, which the guest flow may need
// (errors.md A17), so ForceAttemptHTTP2 is set.
func newHTTPClient(env *Env, tc *tls.Config, verbose bool, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = tc
	rt := env.harTransport(tr) // --har (har.go), closest to the network
	// The Learner records every secret on the wire, so that errors,
	// warnings, the trace and the HAR mask it wherever it turns up.
	rt = &httplog.Learner{Base: rt, Secrets: env.secrets(), Secret: flow.SecretParam}
	if verbose {
		rt = &httplog.Transport{Base: rt, Out: env.Err, Secret: flow.SecretParam, Known: env.secrets()}
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}
