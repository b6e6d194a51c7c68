package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// User is an external (customer or partner) user of the simulated site.
type User struct {
	Username, Password, Email, FirstName, LastName, Phone string
	// Inactive makes authorize answer 400 inactive_user and refresh answer
	// invalid_grant / "authentication failure" (errors.md A10, T6).
	Inactive bool
}

// Config describes the simulated org, app and site. The zero value of every
// optional field is documented next to it; [Demo] returns a ready config.
type Config struct {
	// ClientID is the app's consumer key; required.
	ClientID string
	// ClientSecret is "" for a public client. When set, the app is private:
	// the token endpoint requires it ("Require Secret for Web Server Flow" and
	// "...Refresh Token Flow") and it keys the responses' signature (a public
	// app's responses are signed with a secret the client never sees).
	ClientSecret string
	// RedirectURIs are the registered callback URLs, matched byte for byte.
	// Empty means only "{site}/services/oauth2/echo"; [SiteURLToken] in an
	// entry stands for the site's URL as each request sees it.
	// A registered loopback http URI (localhost, 127.0.0.1, [::1]) matches on
	// any port, with the same host name, path and query (protocol.md §10).
	RedirectURIs []string
	// PathPrefix is the site's URL prefix such as "/shop" ("" = none). Every
	// endpoint lives under it; requests outside it get the HTML 404 page.
	PathPrefix string
	// Users are the site's members.
	Users []User
	// Scopes are the app's selected OAuth scopes; nil means
	// {"api", "refresh_token", "openid", "web"}. Asking for any other scope
	// gets the HTML login page (protocol.md §1, errors.md A5).
	Scopes []string
	// RequirePKCE makes authorize without code_challenge fail with 400
	// invalid_request / "missing required code challenge".
	RequirePKCE bool
	// CredentialsInBody is "Require user credentials in the POST body":
	// credentials only as username/password (or login_hint/password) form
	// fields; a Basic header gets the HTML login page; GET is refused.
	CredentialsInBody bool
	// FlowDisabled turns the org/app Code and Credentials switch off. What
	// the site answers is FlowDisabledError.
	FlowDisabled bool
	// FlowDisabledError selects the answer when FlowDisabled: "" (default)
	// is 400 invalid_client / [FlowDisabledDescription], the answer seen on
	// the wire (errors.md A4); [FlowDisabledHTML] is the HTML login page,
	// the symptom many reports show (A5); any other value is sent as a 400
	// JSON error code, e.g. "unsupported_response_type" (A3) or
	// "oauth_flow_disabled".
	FlowDisabledError string
	// CodeTTL is the authorization code lifetime; 0 means 60s. Salesforce's
	// value is not documented (errors.md T1); codes are single-use.
	CodeTTL time.Duration
	// AccessTokenTTL is the session lifetime; 0 means 2h. Expired tokens fail
	// at userinfo and introspect.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the refresh token lifetime; 0 means no expiry.
	RefreshTokenTTL time.Duration
	// RotateRefreshTokens is "Enable Refresh Token Rotation": a refresh
	// returns a new refresh_token and kills the old one; reusing a rotated
	// one revokes the whole token family (protocol.md §9, errors.md T7).
	RotateRefreshTokens bool
	// JWTAccessTokens issues JWT-based access tokens (token_format "jwt") to
	// named users, as the app setting does. Guest tokens are always JWTs.
	JWTAccessTokens bool
	// InstanceURL is the token response's instance_url; "" means the site's
	// scheme and host without the prefix.
	InstanceURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf receives the simulator log (nil = silent). It never gets a
	// password, code, verifier or token; OTP deliveries are logged on
	// purpose, since the log is the simulated user's inbox.
	Logf func(format string, args ...any)
	// Outbox receives one line per OTP delivery (nil = none).
	Outbox io.Writer
	// Fail injects failures per endpoint; see [Failure] and [Site.Fail].
	Fail map[string]Failure

	// Passwordless, Registration and ForgotPassword are the site's
	// Headless Identity settings for each flow (protocol.md §4–§6, §12).
	Passwordless, Registration, ForgotPassword Flow
	// Guest enables "Code and Credentials Flow for Guest Users" (§7).
	Guest bool
	// Discovery enables headless user discovery: a login_hint may be a
	// username, email or phone (§8).
	Discovery bool
	// OTPTTL is how long an init identifier and its OTP live; 0 means 10m.
	OTPTTL time.Duration
	// FixedOTP, when set, is every OTP the site sends, so that a script can
	// answer without reading the outbox (sfecho sim --fixed-otp).
	FixedOTP string
	// MaxOTPAttempts is the wrong-OTP allowance per OTP; 0 means 5
	// (MaxPasswordResetAttempts default, §6).
	MaxOTPAttempts int
	// EmailTemplates is the emailtemplate allowlist; nil means allowlisting
	// is off and any emailtemplate (or none) is accepted.
	EmailTemplates []string
	// IntrospectDisabled makes the introspect endpoint 404, so clients fall
	// back to a configured session lifetime.
	IntrospectDisabled bool
	// CORSOrigins is the CORS allowlist (Setup > CORS) the echo endpoint
	// honours: nil means every origin is allowed; otherwise an Origin not
	// listed (exactly, e.g. "https://app.example.com") gets 403 without CORS
	// headers (errors.md B5). Discovery and the JWKS always allow CORS.
	CORSOrigins []string
	// QueryBatchSize is how many records a REST query answers at a time
	// before nextRecordsUrl; 0 means 2000, Salesforce's default.
	QueryBatchSize int
}

// Flow is one headless init flow's site settings (NetworkAuthApiSettings).
type Flow struct {
	// Enabled turns the flow on (Salesforce's default is off).
	Enabled bool
	// RequireRecaptcha demands a recaptcha token (or recaptchaevent object);
	// any non-empty token except [BadRecaptcha] passes.
	RequireRecaptcha bool
	// RequireAuth demands "Authorization: Bearer <AuthToken>", the
	// integration user's token.
	RequireAuth bool
	// AuthToken is the integration token accepted when RequireAuth.
	AuthToken string
}

// Site is the simulated Experience Cloud site. It is an [http.Handler] and
// safe for concurrent use.
type Site struct {
	cfg Config
	key *ecdsa.PrivateKey // signs id_tokens and JWT access tokens
	// consumerSecret keys the token responses' signature: the app's secret,
	// or for a public app one the client never sees. Every app has a
	// consumer secret, and the documented public-client response (TV3)
	// carries a signature (protocol.md §2, Q10).
	consumerSecret string
	requests       atomic.Int64
	count          counters
	closed         chan struct{}
	once           sync.Once

	mu    sync.Mutex
	st    state
	fails map[string]*Failure
}

// SiteURLToken in Config.RedirectURIs is replaced by the site's URL
// (scheme, host, prefix) as the request sees it.
const SiteURLToken = "{site}"

// FlowDisabledDescription is the error_description of a site whose Code
// and Credentials flow is off (errors.md A4, protocol.md Question 3).
const FlowDisabledDescription = "code credential flow not enabled"

// FlowDisabledHTML is the Config.FlowDisabledError value that answers the
// HTML login page instead of the JSON error.
const FlowDisabledHTML = "html"

// Default values for the zero fields of [Config].
const (
	DefaultCodeTTL        = 60 * time.Second
	DefaultAccessTokenTTL = 2 * time.Hour
	DefaultOTPTTL         = 10 * time.Minute
	DefaultMaxOTPAttempts = 5
	DefaultQueryBatchSize = 2000
)

// DefaultScopes are the app's selected scopes when Config.Scopes is nil.
var DefaultScopes = []string{"api", "refresh_token", "openid", "web"}

// New returns a site for cfg. Zero optional fields take their defaults; the
// prefix is normalized to "/x" form. A missing ClientID is not an error: no
// client_id will then match.
func New(cfg Config) *Site {
	cfg = withDefaults(cfg)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("sim: generate signing key: " + err.Error()) // crypto/rand never fails
	}
	s := &Site{cfg: cfg, key: key, closed: make(chan struct{}), st: newState(), fails: map[string]*Failure{},
		consumerSecret: cfg.ClientSecret}
	if s.consumerSecret == "" {
		s.consumerSecret = randString(tokenChars, 64)
	}
	for i, u := range cfg.Users {
		s.st.addUser(u, i)
	}
	for name, f := range cfg.Fail {
		s.Fail(name, f)
	}
	return s
}

func withDefaults(cfg Config) Config {
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes
	}
	p := strings.Trim(cfg.PathPrefix, "/")
	if p != "" {
		p = "/" + p
	}
	cfg.PathPrefix = p
	if cfg.CodeTTL <= 0 {
		cfg.CodeTTL = DefaultCodeTTL
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if cfg.OTPTTL <= 0 {
		cfg.OTPTTL = DefaultOTPTTL
	}
	if cfg.MaxOTPAttempts <= 0 {
		cfg.MaxOTPAttempts = DefaultMaxOTPAttempts
	}
	if cfg.QueryBatchSize <= 0 {
		cfg.QueryBatchSize = DefaultQueryBatchSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return cfg
}

// Config returns the site's configuration with defaults applied.
func (s *Site) Config() Config { return s.cfg }

// Requests returns the number of HTTP requests served so far, of any kind.
func (s *Site) Requests() int { return int(s.requests.Load()) }

// Close releases requests held by a Hang failure. The site keeps serving.
func (s *Site) Close() { s.once.Do(func() { close(s.closed) }) }

// ServeHTTP routes r to the endpoint its path names, under the prefix.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	sw := &statusWriter{ResponseWriter: w}
	defer func() { s.cfg.Logf("sim: %s %s -> %d", r.Method, r.URL.Path, sw.status()) }()
	r.Body = http.MaxBytesReader(sw, r.Body, maxBody)
	sw.Header().Set("Date", s.now().UTC().Format(http.TimeFormat)) // the site's clock, Config.Now
	name, h := s.route(r.URL.Path)
	if h == nil {
		notFound(sw)
		return
	}
	if s.inject(sw, r, name, h) {
		return
	}
	h(sw, r)
}

// maxBody caps every request body the site reads.
const maxBody = 1 << 20

type handlerFunc = func(http.ResponseWriter, *http.Request)

// siteURL is the site's URL as seen by this request: scheme, host, prefix.
func (s *Site) siteURL(r *http.Request) string {
	return s.origin(r) + s.cfg.PathPrefix
}

func (s *Site) origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Site) instanceURL(r *http.Request) string {
	if s.cfg.InstanceURL != "" {
		return s.cfg.InstanceURL
	}
	return s.origin(r)
}

func (s *Site) now() time.Time { return s.cfg.Now() }

func (s *Site) logf(format string, args ...any) { s.cfg.Logf("sim: "+format, args...) }
