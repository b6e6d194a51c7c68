package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// keyringTimeout bounds every OS keyring call.
const keyringTimeout = 5 * time.Second

// sessionOptions are the flags of the commands that use a saved session:
// which store, how to reach the site (the transport group), and when a
// token counts as expiring. Site, client id and scope come from the session.
type sessionOptions struct {
	app      appOptions
	Store    string
	MinValid time.Duration
	Lifetime time.Duration
}

// Which of the validity flags a command has: --min-valid (when to refresh)
// and --session-lifetime (the expiry to assume).
const (
	noValidity   = 0
	withMinValid = 1 << iota
	withLifetime
	withValidity = withMinValid | withLifetime
)

// addFlags registers the shared flags and the validity flags asked for.
func (o *sessionOptions) addFlags(cmd *cobra.Command, validity int) {
	fs := cmd.Flags()
	fs.StringVar(&o.Store, "store", "", "where the session is saved: file or keyring (SFECHO_STORE; default file)")
	o.app.transport.addFlags(fs)
	registerEnum(cmd, "store", "file", "keyring")
	if validity&withMinValid != 0 {
		fs.DurationVar(&o.MinValid, "min-valid", session.DefaultMinValid, "refresh first when less than this is left (SFECHO_MIN_VALID)")
	}
	if validity&withLifetime != 0 {
		fs.DurationVar(&o.Lifetime, "session-lifetime", session.DefaultLifetime,
			"access-token lifetime to assume when the site does not tell (SFECHO_SESSION_LIFETIME)")
	}
}

// resolve settles every input: flag > env > profile > default.
func (o *sessionOptions) resolve(cmd *cobra.Command, env *Env) error {
	in, err := o.app.resolve(cmd, env)
	if err != nil {
		return err
	}
	in.str("store", "SFECHO_STORE", &o.Store)
	if cmd.Flags().Lookup("min-valid") != nil {
		if err := in.dur("min-valid", "SFECHO_MIN_VALID", &o.MinValid); err != nil {
			return err
		}
	}
	if cmd.Flags().Lookup("session-lifetime") != nil {
		return in.dur("session-lifetime", "SFECHO_SESSION_LIFETIME", &o.Lifetime)
	}
	return nil
}

// manager returns the session manager of the profile, with this run's
// transport settings for the flow client it builds.
func (o *sessionOptions) manager(env *Env) (*session.Manager, error) {
	st, err := openStore(env, o.Store)
	if err != nil {
		return nil, err
	}
	return &session.Manager{Store: st, Profile: o.app.Profile, Now: env.Now, MinValid: o.MinValid, Lifetime: o.Lifetime,
		Warnf: env.warnf, Client: func(s *store.Session) (*flow.Client, error) { return clientFor(env, o, s) }}, nil
}

// valid returns the profile's manager and its session with a valid access
// token (refreshed first when needed, always when force), errors mapped to
// exit codes: what token, refresh and userinfo start with.
func (o *sessionOptions) valid(ctx context.Context, env *Env, force bool) (*session.Manager, *store.Session, bool, error) {
	m, err := o.manager(env)
	if err != nil {
		return nil, nil, false, err
	}
	s, refreshed, err := m.Valid(ctx, force)
	return m, s, refreshed, sessionError(err, o.app.Profile)
}

// clientFor builds the flow client for s's site and app, with this run's
// transport settings; the CA and secret files default to the login's.
func clientFor(env *Env, o *sessionOptions, s *store.Session) (*flow.Client, error) {
	app := o.app
	app.Site, app.ClientID, app.RedirectURI, app.Scope = s.Site, s.ClientID, s.RedirectURI, s.Scope
	app.TrustCommunityURLs = s.TrustedCommunityURLs
	if app.transport.CAFile == "" {
		app.transport.CAFile = s.CAFile
	}
	if app.transport.clientSecret == "" && s.ClientSecretFile != "" {
		app.transport.ClientSecretFile = s.ClientSecretFile
		if err := app.transport.readSecret(env); err != nil {
			return nil, err
		}
	}
	if app.transport.clientSecret == "" && s.PrivateClient {
		return nil, usagef("the session of profile %s belongs to a private app: set SFECHO_CLIENT_SECRET or --client-secret-file", o.app.Profile)
	}
	return app.client(env)
}

// sessionError maps the session package's and the store's errors to exit
// codes and advice; other errors pass through.
func sessionError(err error, profile string) error {
	login := "run sfecho login" + profileFlag(profile)
	var se *session.SaveError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrInKeyring):
		return fail(ExitNoSession, "no saved session for profile "+profile+" in the session file",
			`it was saved in the OS keyring: add --store keyring, or set store = "keyring" in the profile`, err)
	case errors.Is(err, session.ErrNoSession):
		return fail(ExitNoSession, "no saved session for profile "+profile, login+" first", err)
	case errors.Is(err, session.ErrRevoked):
		return fail(ExitNoSession, "the session of profile "+profile+" was revoked or rejected by the site", login, err)
	case errors.Is(err, session.ErrNoRefreshToken):
		return fail(ExitNoSession, "refresh: the saved session has no refresh token",
			"no refresh token was issued: add refresh_token to the app's scopes and to --scope, then log in again", err)
	case errors.Is(err, session.ErrLockTimeout):
		return fail(ExitError, "the session lock of profile "+profile+" is busy: "+err.Error(),
			"wait for the other sfecho process to finish, or find the stuck one", err)
	case errors.As(err, &se) && se.Refreshed:
		return fail(ExitError, "refresh: the site issued new tokens but saving them failed: "+se.Err.Error(),
			"if refresh token rotation is on, the saved refresh token is now dead: fix the problem, then run sfecho login", err)
	case errors.Is(err, store.ErrKeyringUnavailable), errors.Is(err, store.ErrKeyringTooBig):
		return fail(ExitUsage, err.Error(), "start and unlock the OS keyring (e.g. gnome-keyring), or use --store file", err)
	}
	var fe *flow.Error
	var ce *Error
	if errors.As(err, &fe) || errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		return err
	}
	// What is left is local: a damaged or unsafe file, a failed save, an
	// unusable lock directory.
	return fail(ExitUsage, err.Error(), "", err)
}
