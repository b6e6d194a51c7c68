package cli

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// Defaults of the saved-session settings (issue 5).
const (
	// defaultLifetime is the access-token lifetime assumed when neither a
	// JWT's exp nor introspection tells: Salesforce's default session
	// timeout is 2 hours, and no expires_in is sent (protocol.md §2).
	defaultLifetime = 2 * time.Hour
	// defaultMinValid is how much validity `sfecho token` wants left.
	defaultMinValid = 5 * time.Minute
	// lockWait bounds the wait for another process's refresh: two requests
	// at the default 30s timeout, and then some.
	lockWait = 2 * time.Minute
	// keyringTimeout bounds every OS keyring call.
	keyringTimeout = 5 * time.Second
)

// sessionOptions are the flags of the commands that use a saved session:
// which store, how to reach the site (TLS, timeout, secret), and when a
// token counts as expiring. Site, client id and scope come from the
// session itself.
type sessionOptions struct {
	app      appOptions
	Store    string
	MinValid time.Duration
	Lifetime time.Duration
}

// addFlags registers the shared flags; validity adds --min-valid and
// --session-lifetime.
func (o *sessionOptions) addFlags(cmd *cobra.Command, validity bool) {
	fs := cmd.Flags()
	fs.StringVar(&o.Store, "store", "", "where the session is saved: file or keyring (SFECHO_STORE; default file)")
	fs.StringVar(&o.app.ClientSecretFile, "client-secret-file", "", "file holding the consumer secret, private clients only (or SFECHO_CLIENT_SECRET)")
	fs.StringVar(&o.app.CAFile, "ca-file", "", "PEM file of extra CA certificates to trust (SFECHO_CA_FILE)")
	fs.BoolVar(&o.app.Insecure, "insecure", false, "skip TLS certificate verification (tests only; warns every time)")
	fs.DurationVar(&o.app.Timeout, "timeout", 30*time.Second, "per-request timeout (0: none)")
	registerEnum(cmd, "store", "file", "keyring")
	if validity {
		addValidityFlags(fs, o)
	}
}

func addValidityFlags(fs *pflag.FlagSet, o *sessionOptions) {
	fs.DurationVar(&o.MinValid, "min-valid", defaultMinValid, "refresh first when less than this is left (SFECHO_MIN_VALID)")
	fs.DurationVar(&o.Lifetime, "session-lifetime", defaultLifetime,
		"access-token lifetime to assume when the site does not tell (SFECHO_SESSION_LIFETIME)")
}

// resolve fills unset flags from the environment and the profile.
func (o *sessionOptions) resolve(cmd *cobra.Command, env *Env) error {
	if err := o.app.resolve(cmd, env); err != nil {
		return err
	}
	fs := cmd.Flags()
	o.Store = pickString(fs, env, o.app.prof, "store", "SFECHO_STORE", o.Store)
	var err error
	if fs.Lookup("min-valid") != nil {
		if o.MinValid, err = pickDuration(fs, env, o.app.prof, "min-valid", "SFECHO_MIN_VALID", o.MinValid); err != nil {
			return err
		}
		o.Lifetime, err = pickDuration(fs, env, o.app.prof, "session-lifetime", "SFECHO_SESSION_LIFETIME", o.Lifetime)
	}
	return err
}

// pickString returns the flag's value when set on the command line, else the
// environment variable, else the profile's, else cur (the flag default).
func pickString(fs *pflag.FlagSet, env *Env, prof setting, flagName, envName, cur string) string {
	if fs.Changed(flagName) {
		return cur
	}
	if v := env.getenv(envName); v != "" {
		return v
	}
	if prof != nil {
		if v, ok := prof(flagName); ok && v != "" {
			return v
		}
	}
	return cur
}

// pickDuration is pickString for a duration, refusing unparsable or
// non-positive values from the environment or the profile.
func pickDuration(fs *pflag.FlagSet, env *Env, prof setting, flagName, envName string, cur time.Duration) (time.Duration, error) {
	v := pickString(fs, env, prof, flagName, envName, "")
	if v == "" {
		if cur <= 0 {
			return 0, usagef("--%s must be positive", flagName)
		}
		return cur, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s=%q is not a positive duration such as 5m or 2h", envName, v)
	}
	return d, nil
}

// sessionsDir is where sessions and their lock files live.
func sessionsDir(env *Env) string { return filepath.Join(env.ConfigDir, "sessions") }

// openStore returns the backend named name ("" = file).
func openStore(env *Env, name string) (store.Store, error) {
	switch name {
	case "", "file":
		return store.NewFile(sessionsDir(env)), nil
	case "keyring":
		return store.NewKeyring(sessionsDir(env), keyringTimeout), nil
	}
	return nil, usagef("--store must be file or keyring, not %q", name)
}

// loadSession loads profile's session, turning store errors into exit codes:
// none saved is 4 (log in), an unsafe or damaged file or an unusable keyring
// is 2 (local configuration).
func loadSession(st store.Store, profile string) (*store.Session, error) {
	s, err := st.Load(profile)
	if err != nil {
		return nil, storeError(err, profile)
	}
	return s, nil
}

// storeError maps a store error to an exit code and advice.
func storeError(err error, profile string) error {
	switch {
	case errors.Is(err, store.ErrInKeyring):
		return &exitError{code: ExitNoSession, msg: "no saved session for profile " + profile + " in the session file",
			advice: `it was saved in the OS keyring: add --store keyring, or set store = "keyring" in the profile`}
	case errors.Is(err, store.ErrNotFound):
		return &exitError{code: ExitNoSession, msg: "no saved session for profile " + profile,
			advice: "run sfecho login" + profileFlag(profile) + " first"}
	case errors.Is(err, store.ErrKeyringUnavailable), errors.Is(err, store.ErrKeyringTooBig):
		return &exitError{code: ExitUsage, msg: err.Error(),
			advice: "start and unlock the OS keyring (e.g. gnome-keyring), or use --store file"}
	}
	return &exitError{code: ExitUsage, msg: err.Error()}
}

// profileFlag returns " --profile NAME" for a profile other than the default.
func profileFlag(profile string) string {
	if profile == store.DefaultProfile {
		return ""
	}
	return " --profile " + profile
}

// expiry returns when s's access token expires and how that is known: the
// saved expiry (JWT exp or introspection), else issued_at + lifetime.
func expiry(s *store.Session, lifetime time.Duration) (time.Time, string) {
	if !s.Expiry.IsZero() {
		return s.Expiry, s.ExpirySource
	}
	issued := s.IssuedAt
	if issued.IsZero() {
		issued = s.SavedAt
	}
	return issued.Add(lifetime), expiryLifetime
}

// needsRefresh reports whether s's access token has less than minValid left.
func needsRefresh(s *store.Session, now time.Time, o *sessionOptions) bool {
	exp, _ := expiry(s, o.Lifetime)
	return s.AccessToken == "" || !now.Add(o.MinValid).Before(exp)
}

// clientFor builds the flow client for s's site and app, with this run's
// TLS, timeout and secret settings.
func clientFor(env *Env, o *sessionOptions, s *store.Session) (*flow.Client, error) {
	o.app.Site, o.app.ClientID, o.app.RedirectURI, o.app.Scope = s.Site, s.ClientID, s.RedirectURI, s.Scope
	if o.app.CAFile == "" {
		o.app.CAFile = s.CAFile
	}
	o.app.TrustCommunityURLs = s.TrustedCommunityURLs
	if o.app.clientSecret == "" && s.ClientSecretFile != "" {
		o.app.ClientSecretFile = s.ClientSecretFile
		if err := o.app.readSecret(env); err != nil {
			return nil, err
		}
	}
	if o.app.clientSecret == "" && s.PrivateClient {
		return nil, usagef("the session of profile %s belongs to a private app: set SFECHO_CLIENT_SECRET or --client-secret-file", o.app.Profile)
	}
	return o.app.client(env)
}

// absPath makes a path from the command line absolute, so that a later
// run from another directory finds the same file.
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// freshSession returns profile's session with at least --min-valid left,
// refreshing it first when needed (always when force). A valid session costs
// no request and no lock. A refresh runs under the profile's cross-process
// lock and re-reads the session after taking it: another process may have
// refreshed meanwhile, and with rotation its refresh token is then the only
// live one.
func freshSession(ctx context.Context, env *Env, o *sessionOptions, st store.Store, force bool) (*store.Session, bool, error) {
	profile := o.app.Profile
	s, err := loadSession(st, profile)
	if err != nil {
		return nil, false, err
	}
	if s.AccessToken == "" && s.RefreshToken == "" {
		return nil, false, revokedSession(profile)
	}
	if s.ExpirySource == "" && !force {
		s = learnExpiry(ctx, env, o, st, s)
	}
	if !force && !needsRefresh(s, env.Now(), o) {
		return s, false, nil
	}
	unlock, err := lockProfile(ctx, env, profile)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if s, err = loadSession(st, profile); err != nil || (!force && !needsRefresh(s, env.Now(), o)) {
		return s, false, err
	}
	s, err = refreshLocked(ctx, env, o, st, s)
	if err == nil && needsRefresh(s, env.Now(), o) {
		exp, _ := expiry(s, o.Lifetime)
		env.warnf("the new access token is valid for %v, less than --min-valid %v: the site's sessions are shorter",
			exp.Sub(env.Now()).Round(time.Second), o.MinValid)
	}
	return s, err == nil, err
}

// learnExpiry asks the site when an opaque access token expires, once:
// Salesforce sends no expires_in (protocol.md §2), so the first `sfecho
// token` after a login or refresh introspects and saves the answer; later
// calls cost no request. An inactive token is marked expired, so that it is
// refreshed. Where introspection fails the session is marked "lifetime"
// and the configured session lifetime applies from then on. Best effort:
// a failure to save is not an error.
func learnExpiry(ctx context.Context, env *Env, o *sessionOptions, st store.Store, s *store.Session) *store.Session {
	// Under the lock, so that concurrent jobs ask once: the first saves the
	// answer, the others re-read it.
	unlock, err := lockProfile(ctx, env, o.app.Profile)
	if err != nil {
		return s
	}
	defer unlock()
	if cur, err := loadSession(st, o.app.Profile); err == nil {
		if cur.AccessToken != s.AccessToken || cur.ExpirySource != "" {
			return cur
		}
		s = cur
	}
	c, err := clientFor(env, o, s)
	if err != nil {
		return s
	}
	ns := *s
	in, err := c.Introspect(ctx, s.CommunityURL, s.AccessToken, "access_token")
	switch {
	case err != nil, in.Active && in.Exp == 0:
		ns.Expiry, ns.ExpirySource = time.Time{}, expiryLifetime
	case !in.Active:
		ns.Expiry, ns.ExpirySource = env.Now().Add(-time.Second), flow.ExpiryIntrospect
	default:
		ns.Expiry, ns.ExpirySource = in.Expiry(), flow.ExpiryIntrospect
	}
	if err := st.Save(&ns); err != nil {
		env.warnf("could not save the token's expiry: %v", err)
	}
	return &ns
}

// expiryLifetime marks a session whose expiry could not be learnt: the
// configured session lifetime applies.
const expiryLifetime = "lifetime"

// lockProfile takes the profile's lock, waiting at most lockWait.
func lockProfile(ctx context.Context, env *Env, profile string) (func() error, error) {
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := store.Lock(lctx, sessionsDir(env), profile)
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return nil, &exitError{code: ExitError, msg: "another sfecho process has held the session lock of profile " + profile +
			" for over " + lockWait.String(), advice: "wait for it to finish, or find the stuck sfecho process"}
	}
	return nil, storeError(err, profile)
}

// refreshLocked refreshes s (the caller holds the lock) and saves the answer
// at once: with rotation the old refresh token is dead the moment the site
// answers, so nothing may come between the answer and the save. A JWT's
// exp is kept; an opaque token's expiry is learnt later by learnExpiry,
// like a fresh login's.
func refreshLocked(ctx context.Context, env *Env, o *sessionOptions, st store.Store, s *store.Session) (*store.Session, error) {
	if s.RefreshToken == "" {
		return nil, &exitError{code: ExitNoSession, msg: "refresh: the saved session has no refresh token",
			advice: "no refresh token was issued: add refresh_token to the app's scopes and to --scope, then log in again"}
	}
	c, err := clientFor(env, o, s)
	if err != nil {
		return nil, err
	}
	// Once the request is sent, the answer must be waited for and saved even
	// if the job is cancelled (SIGINT/SIGTERM): with rotation the site may
	// already have killed the old refresh token. The HTTP client's timeout
	// still bounds the wait.
	tok, err := c.Refresh(context.WithoutCancel(ctx), s.CommunityURL, s.RefreshToken)
	if err != nil {
		if flow.KindOf(err) == flow.KindNoSession {
			// The site refused the refresh token: it is dead, and with
			// rotation reuse detection its access tokens too. Never hand
			// them out again.
			forgetTokens(s, false)
			if serr := st.Save(s); serr != nil {
				env.warnf("could not mark the session as revoked: %v", serr)
			}
		}
		return nil, err
	}
	ns := applyToken(s, tok, env.Now())
	if exp, ok := flow.JWTExpiry(tok.AccessToken); ok {
		ns.Expiry, ns.ExpirySource = exp, flow.ExpiryJWT
	}
	if err := st.Save(ns); err != nil {
		return nil, &exitError{code: ExitError, msg: "refresh: the site issued new tokens but saving them failed: " + err.Error(),
			advice: "if refresh token rotation is on, the saved refresh token is now dead: fix the problem, then run sfecho login"}
	}
	return ns, nil
}

// forgetTokens clears what the site no longer honours: the access token
// only (a refresh token remains to get another), or both.
func forgetTokens(s *store.Session, accessOnly bool) {
	s.AccessToken, s.Expiry, s.ExpirySource = "", time.Time{}, ""
	drop := []string{"access_token"}
	if !accessOnly {
		s.RefreshToken = ""
		drop = append(drop, "refresh_token", "id_token")
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(s.Token, &raw) == nil {
		for _, k := range drop {
			delete(raw, k)
		}
		if b, err := json.Marshal(raw); err == nil {
			s.Token = b
		}
	}
}

// revokedSession is the error for a session whose tokens were revoked.
func revokedSession(profile string) error {
	return &exitError{code: ExitNoSession, msg: "the session of profile " + profile + " was revoked or rejected by the site",
		advice: "run sfecho login" + profileFlag(profile)}
}

// applyToken returns s updated with a refresh answer. A refresh answer
// without refresh_token (no rotation) keeps the old one; Salesforce fields
// the answer lacks (id_token, for one) are kept from before.
func applyToken(s *store.Session, tok *flow.Token, now time.Time) *store.Session {
	ns := *s
	ns.AccessToken = tok.AccessToken
	setIf(&ns.RefreshToken, tok.RefreshToken)
	setIf(&ns.InstanceURL, tok.InstanceURL)
	setIf(&ns.CommunityURL, tok.CommunityURL)
	setIf(&ns.CommunityID, tok.CommunityID)
	setIf(&ns.IDURL, tok.ID)
	setIf(&ns.TokenFormat, tok.TokenFormat)
	ns.IssuedAt = issuedAt(tok, now)
	ns.Expiry, ns.ExpirySource = time.Time{}, ""
	ns.Token = mergeRaw(s.Token, tok.Raw)
	return &ns
}

// newSession builds the session of a fresh login.
func newSession(profile string, app *appOptions, user string, tok *flow.Token, now time.Time) *store.Session {
	return &store.Session{
		Profile: profile, Site: app.Site, ClientID: app.ClientID, Username: user,
		RedirectURI: app.RedirectURI, Scope: app.Scope,
		CAFile: absPath(app.CAFile), ClientSecretFile: absPath(app.ClientSecretFile), PrivateClient: app.clientSecret != "",
		TrustedCommunityURLs: app.TrustCommunityURLs,
		AccessToken:          tok.AccessToken, RefreshToken: tok.RefreshToken,
		InstanceURL: tok.InstanceURL, CommunityURL: tok.CommunityURL, CommunityID: tok.CommunityID,
		IDURL: tok.ID, TokenFormat: tok.TokenFormat, IssuedAt: issuedAt(tok, now),
		Token: append(json.RawMessage(nil), tok.Raw...),
	}
}

// issuedAt is the token's issued_at, else now.
func issuedAt(tok *flow.Token, now time.Time) time.Time {
	if t := tok.IssuedTime(); !t.IsZero() {
		return t.UTC()
	}
	return now.UTC()
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// mergeRaw returns the JSON object old with newer's fields laid over it.
func mergeRaw(old, newer json.RawMessage) json.RawMessage {
	var o, n map[string]json.RawMessage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(newer, &n) != nil {
		return append(json.RawMessage(nil), newer...)
	}
	if o == nil {
		o = map[string]json.RawMessage{}
	}
	for k, v := range n {
		o[k] = v
	}
	b, err := json.Marshal(o)
	if err != nil {
		return append(json.RawMessage(nil), newer...)
	}
	return b
}

// sessionToken returns s as a flow.Token, for the output writers.
func sessionToken(s *store.Session) *flow.Token {
	tok, err := flow.ParseToken(s.Token)
	if err != nil {
		tok = &flow.Token{Raw: s.Token}
	}
	tok.AccessToken, tok.RefreshToken = s.AccessToken, s.RefreshToken
	tok.InstanceURL, tok.CommunityURL = s.InstanceURL, s.CommunityURL
	return tok
}
