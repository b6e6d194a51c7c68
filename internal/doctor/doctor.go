package doctor

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
)

// Status is a check's outcome.
type Status string

// The outcomes of a check.
const (
	// Passed: the site or app has what the check looks for.
	Passed Status = "passed"
	// Failed: it has not; Advice says what to change.
	Failed Status = "failed"
	// Unknown: the check could not tell (an earlier check failed, or the
	// answer fits no known case), or the answer is only a warning.
	Unknown Status = "unknown"
)

// Check is one line of the report.
type Check struct {
	// Check names what was checked: "site", "dns", "app", ... (the Check*
	// constants).
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Detail says what was found, in one line without secrets; text from
	// the site is stripped of control characters.
	Detail string `json:"detail"`
	// Advice is the advice line of the errors.md entry, for failures (and
	// for some unknowns).
	Advice string `json:"advice"`
	// ErrorsMD is that entry's id in docs/errors.md, e.g. "A4".
	ErrorsMD string `json:"errors_md"`
	// Kind classifies a failure for the exit code: KindNetwork (the site
	// cannot be reached), KindUsage (bad input), KindRejected (the
	// --username credentials were refused) or KindSetup (not set up).
	Kind flow.Kind `json:"-"`
}

// Names of the checks, in the order they run.
const (
	CheckSite           = "site"
	CheckDNS            = "dns"
	CheckTCP            = "tcp"
	CheckTLS            = "tls"
	CheckHTTP2          = "http2"
	CheckEcho           = "echo"
	CheckCORS           = "cors"
	CheckDiscovery      = "discovery"
	CheckApp            = "app"
	CheckPKCE           = "pkce"
	CheckPasswordless   = "passwordless"
	CheckForgotPassword = "forgot-password"
	CheckGuest          = "guest"
	CheckClock          = "clock"
	CheckLogin          = "login"
	CheckScopes         = "scopes"
	CheckTokens         = "tokens"
	CheckRefreshToken   = "refresh-token"
	CheckIntrospection  = "introspection"
	CheckUserinfo       = "userinfo"
	CheckCommunityURL   = "community-url"
	CheckCleanup        = "cleanup"
)

// Opt-in probes (Options.Probes): requests that make the site do
// something, documented in the package comment.
const (
	ProbePasswordless   = "passwordless"
	ProbeForgotPassword = "forgot-password"
	ProbeGuest          = "guest"
)

// Probes lists the opt-in probes.
var Probes = []string{ProbePasswordless, ProbeForgotPassword, ProbeGuest}

// Options are doctor's inputs.
type Options struct {
	// HTTP carries TLS settings, the timeout, the -v trace and the HAR
	// recorder; required. Its CheckRedirect is ignored: no redirect is
	// followed.
	HTTP *http.Client
	// Site is the --site value as given; checking its shape is the first
	// check.
	Site string
	// ClientID, ClientSecret, RedirectURI and Scope are the app's, as for
	// sfecho login. Without ClientID the app is not checked.
	ClientID, ClientSecret, RedirectURI, Scope string
	// CredentialsInBody starts the probes with credentials in the POST body
	// instead of Basic.
	CredentialsInBody bool
	// Insecure says TLS verification is off (--insecure), for the report.
	Insecure bool
	// Origin, when set, is checked against the echo endpoint's CORS.
	Origin string
	// Probes names the opt-in probes to run (see [Probes]).
	Probes []string
	// Init proves the caller to the init endpoints the passwordless and
	// forgot-password probes call (reCAPTCHA, integration token, template).
	Init flow.InitAuth
	// Username and Password, when Username is set, make doctor log in
	// (without saving anything) and report on the tokens.
	Username, Password string
	// Now is the clock compared with the site's Date header; nil means
	// time.Now.
	Now func() time.Time
}

// Run runs the checks and returns them in order. It never fails: what goes
// wrong is a failed or unknown check. A cancelled ctx ends it early.
func Run(ctx context.Context, o Options) []Check {
	r := &runner{o: o, now: o.Now}
	if r.now == nil {
		r.now = time.Now
	}
	if !r.checkSite() {
		return r.checks
	}
	echoAns := r.checkConnection(ctx)
	if !r.reached {
		r.notReached(r.unreachedChecks()...)
		return r.checks
	}
	r.checkEcho(echoAns)
	if o.Origin != "" {
		r.checkCORS(ctx)
	}
	r.checkDiscovery(ctx)
	r.checkApp(ctx)
	r.checkPKCE(ctx)
	r.checkProbes(ctx)
	r.checkClock()
	if o.Username != "" && ctx.Err() == nil {
		r.checkLogin(ctx)
	}
	return r.checks
}

// runner holds one run's state.
type runner struct {
	o      Options
	now    func() time.Time
	site   *url.URL
	checks []Check

	reached bool // the site answered HTTP at all
	clock   *clockSample

	// headless is set when the app probe got past everything but the
	// throwaway credentials; working is the request shape that did.
	headless bool
	working  variant
}

func (r *runner) add(c Check) { r.checks = append(r.checks, c) }

func (r *runner) pass(name, detail string) {
	r.add(Check{Check: name, Status: Passed, Detail: detail})
}

// fail adds a failed check with entry id's advice (fills as for advice).
func (r *runner) fail(name string, kind flow.Kind, id, detail string, fills ...string) {
	r.add(Check{Check: name, Status: Failed, Detail: detail, Advice: advice(id, fills...), ErrorsMD: id, Kind: kind})
}

// unknown adds a check that could not tell; id may be "".
func (r *runner) unknown(name, id, detail string, fills ...string) {
	r.add(Check{Check: name, Status: Unknown, Detail: detail, Advice: advice(id, fills...), ErrorsMD: id})
}

// unreachedChecks names the checks a run that cannot reach the site
// skips, in the order they would have run.
func (r *runner) unreachedChecks() []string {
	var names []string
	if r.o.Origin != "" {
		names = append(names, CheckCORS)
	}
	names = append(names, CheckDiscovery, CheckApp, CheckPKCE)
	for _, p := range []string{ProbePasswordless, ProbeForgotPassword, ProbeGuest} {
		if slices.Contains(r.o.Probes, p) {
			names = append(names, p) // the probe names are the check names
		}
	}
	names = append(names, CheckClock)
	if r.o.Username != "" {
		names = append(names, CheckLogin)
	}
	return names
}

func (r *runner) notReached(names ...string) {
	for _, n := range names {
		r.unknown(n, "", "not checked: the site could not be reached")
	}
}

// checkSite applies the rules sfecho login applies to --site, and refuses
// hosts that are not Experience Cloud sites (errors.md N1).
func (r *runner) checkSite() bool {
	u, err := flow.ParseSite(r.o.Site)
	if err != nil {
		msg := err.Error()
		var fe *flow.Error
		if errors.As(err, &fe) {
			msg = fe.Description
		}
		id := "N1"
		switch {
		case strings.Contains(msg, "https://") && strings.Contains(msg, "loopback"):
			id = "A15"
		case strings.Contains(msg, "/s/"), strings.Contains(msg, "query or fragment"):
			id = "N2"
		}
		r.fail(CheckSite, flow.KindUsage, id, clean(msg))
		return false
	}
	r.site = u
	host := strings.ToLower(u.Hostname())
	for _, suffix := range []string{".my.salesforce.com", ".lightning.force.com"} {
		if strings.HasSuffix(host, suffix) {
			r.fail(CheckSite, flow.KindSetup, "N1", host+" is an org host (My Domain or Lightning), not an Experience Cloud site")
			return false
		}
	}
	prefix := "no path prefix"
	if u.Path != "" {
		prefix = "path prefix " + u.Path
	}
	r.pass(CheckSite, u.String()+" ("+prefix+")")
	return true
}
