package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// resultOptions are the flags of every command that ends with tokens: how
// the 302 is captured, how the result is printed and where it is saved.
type resultOptions struct {
	Capture string
	out     output
	NoStore bool
	Store   string

	capture flow.Capture // Capture, validated
}

// addFlags registers the flags; saves adds --no-store and --store.
func (o *resultOptions) addFlags(cmd *cobra.Command, saves bool) {
	fs := cmd.Flags()
	fs.StringVar(&o.Capture, "capture", "location", "how the 302 is captured: location, echo or local")
	o.out.addFlag(cmd, "", tokenFormats...)
	registerEnum(cmd, "capture", "location", "echo", "local")
	if saves {
		fs.BoolVar(&o.NoStore, "no-store", false, "do not save the session")
		fs.StringVar(&o.Store, "store", "", "where to save the session: file or keyring (SFECHO_STORE; default file)")
		registerEnum(cmd, "store", "file", "keyring")
	}
}

// resolve settles capture (flag > profile; there is no variable) and the
// store (flag > SFECHO_STORE > profile), and validates -o.
func (o *resultOptions) resolve(in layers) error {
	in.str("capture", "", &o.Capture)
	if in.fs.Lookup("store") != nil {
		in.str("store", "SFECHO_STORE", &o.Store)
	}
	var err error
	if o.capture, err = captureMode(o.Capture); err != nil {
		return err
	}
	_, err = o.out.resolve(in.env)
	return err
}

// tokenFormats are the -o values of the commands that end in tokens.
var tokenFormats = []string{"json", "token", "env", "text", "github"}

func captureMode(s string) (flow.Capture, error) {
	switch c := flow.Capture(s); c {
	case flow.CaptureLocation, flow.CaptureEcho, flow.CaptureLocal:
		return c, nil
	case "":
		return flow.CaptureLocation, nil
	}
	return "", usagef("--capture must be location, echo or local, not %q", s)
}

// obtainFunc obtains the tokens of one flow with a ready client, and says
// as whom. A nil token without an error means the flow printed its own
// result and there is nothing to save or print (--init-only).
type obtainFunc func(ctx context.Context, c *flow.Client) (tok *flow.Token, user string, err error)

// runTokens is the pipeline every command that ends in tokens shares
// (login in each of its forms, register, guest): check the store, build the
// client, obtain the tokens, save them (unless saves is false or
// --no-store), print them. The command has resolved its inputs already.
func runTokens(ctx context.Context, env *Env, app *appOptions, res *resultOptions, saves bool, obtain obtainFunc) error {
	format, err := res.out.resolve(env)
	if err != nil {
		return err
	}
	saves = saves && !res.NoStore
	if saves {
		if err := checkStore(env, app, res.Store); err != nil {
			return err
		}
	}
	c, err := app.client(env)
	if err != nil {
		return err
	}
	if res.capture == flow.CaptureLocal {
		warnNotLoopback(env, c.RedirectURI)
	}
	tok, user, err := obtain(ctx, c)
	if err != nil || tok == nil {
		return err
	}
	// Render before saving: output sfecho refuses to print (-o env of a
	// value with control characters) fails the login, and a failed login
	// leaves no session behind. -o github writes $GITHUB_OUTPUT, a side
	// effect, so it comes after the save.
	var out bytes.Buffer
	if format != "github" {
		renv := *env
		renv.Out = &out
		if err := writeToken(&renv, format, tok, user); err != nil {
			return err
		}
	}
	if saves {
		if err := saveLogin(ctx, env, app, res.Store, user, tok); err != nil {
			return err
		}
	}
	if format == "github" {
		return writeToken(env, format, tok, user)
	}
	_, err = env.Out.Write(out.Bytes())
	return err
}

// saveLogin saves the session of a fresh login under the profile. A store
// nobody named (the default file) that fails only warns: the login itself
// worked, so its tokens are printed. A store asked for by name (the
// keyring) must not fail quietly.
func saveLogin(ctx context.Context, env *Env, app *appOptions, storeName, user string, tok *flow.Token) error {
	st, err := openStore(env, storeName)
	if err != nil {
		return err
	}
	m := &session.Manager{Store: st, Profile: app.Profile, Now: env.Now, Warnf: env.warnf}
	s := session.FromLogin(store.Session{Profile: app.Profile, Site: app.Site, ClientID: app.ClientID, Username: user,
		RedirectURI: app.RedirectURI, Scope: app.Scope, CAFile: absPath(app.transport.CAFile),
		ClientSecretFile: absPath(app.transport.ClientSecretFile), PrivateClient: app.transport.clientSecret != "",
		TrustedCommunityURLs: app.TrustCommunityURLs}, tok, env.Now())
	if err := m.SaveLogin(ctx, s, func(old *store.Session) { revokeReplaced(ctx, env, app, old, s) }); err != nil {
		if storeName == "" {
			env.warnf("the session was not saved, so sfecho token cannot reuse it: %v", err)
			return nil
		}
		return sessionError(err, app.Profile)
	}
	if env.InTTY {
		fmt.Fprintf(env.Err, "sfecho: session saved for profile %s (%s store); `sfecho token%s` prints a valid access token\n",
			app.Profile, st.Name(), profileFlag(app.Profile))
	}
	return nil
}

// revokeReplaced revokes the refresh token of the session a login is about
// to replace, when it belongs to another user (or site, or app): once
// replaced, logout could never reach it, and it would stay live at the
// site. Best effort, said on stderr. The same user's old session is simply
// replaced.
func revokeReplaced(ctx context.Context, env *Env, app *appOptions, old, s *store.Session) {
	if old.Username == s.Username && old.Site == s.Site && old.ClientID == s.ClientID {
		return
	}
	who := old.Username
	if who == "" {
		who = "another user"
	}
	token := old.RefreshToken
	if token == "" {
		token = old.AccessToken
	}
	if token == "" {
		return
	}
	c, err := clientFor(env, &sessionOptions{app: *app}, old)
	if err == nil {
		err = c.Revoke(ctx, old.CommunityURL, token)
	}
	switch {
	case err == nil, errors.Is(err, flow.ErrTokenInvalid):
		fmt.Fprintf(env.Err, "sfecho: profile %s held %s's session: revoked it at the site before replacing it\n", app.Profile, displayText(who))
	default:
		env.warnf("profile %s held %s's session; revoking it at the site failed (%v), so it stays live there until it expires", app.Profile, displayText(who), err)
	}
}

// checkStore fails before any request when the chosen store cannot work:
// a login whose tokens cannot be saved would leave a live grant at the
// site.
func checkStore(env *Env, app *appOptions, name string) error {
	if name == "" || name == "file" {
		return nil
	}
	st, err := openStore(env, name)
	if err != nil {
		return err
	}
	if k, ok := st.(*store.Keyring); ok {
		if err := k.Check(); err != nil {
			return sessionError(err, app.Profile)
		}
	}
	return nil
}

// warnNotLoopback says so when a --redirect-uri that is not a loopback URL
// gives way to the local endpoint's address, since the app must then have
// a loopback callback registered.
func warnNotLoopback(env *Env, redirectURI string) {
	if redirectURI == "" {
		return
	}
	if _, _, loopback, err := flow.LocalAddr(redirectURI); err == nil && !loopback {
		env.warnf("--redirect-uri %s is not a loopback http:// URL, so the local endpoint uses http://localhost:<free port>/services/oauth2/echo (or the loopback site's own host name); the app must have that callback registered", redirectURI)
	}
}
