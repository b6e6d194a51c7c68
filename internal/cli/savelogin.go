package cli

import (
	"context"
	"fmt"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// saveLogin saves the session of a fresh login under the profile, unless
// --no-store. The store is --store, else SFECHO_STORE, else the profile's,
// else file. A JWT's exp is kept as the expiry; an opaque token's expiry is
// learnt later, by the first `sfecho token` (see learnExpiry), so that a
// login stays at two requests. The session is written under the profile's
// lock, so that a concurrent `sfecho token` cannot overwrite it with an
// older refresh.
func saveLogin(ctx context.Context, env *Env, app *appOptions, noStore bool, storeName, user string, tok *flow.Token) error {
	if noStore {
		return nil
	}
	storeName, explicit := storeChoice(env, app, storeName)
	err := saveSession(ctx, env, app, storeName, user, tok)
	if err != nil && !explicit {
		// The login itself worked: print its tokens, and say why the
		// session was not kept. A store asked for by name (the keyring)
		// must not fail quietly, so that case stays an error.
		env.warnf("the session was not saved, so sfecho token cannot reuse it: %v", err)
		return nil
	}
	return err
}

func saveSession(ctx context.Context, env *Env, app *appOptions, storeName, user string, tok *flow.Token) error {
	if app.Profile == "" {
		app.Profile = store.DefaultProfile
	}
	st, err := openStore(env, storeName)
	if err != nil {
		return err
	}
	s := newSession(app.Profile, app, user, tok, env.Now())
	if exp, ok := flow.JWTExpiry(tok.AccessToken); ok {
		s.Expiry, s.ExpirySource = exp, flow.ExpiryJWT
	}
	unlock, err := lockProfile(ctx, env, app.Profile)
	if err != nil {
		return err
	}
	defer unlock()
	if err := st.Save(s); err != nil {
		return storeError(fmt.Errorf("save session: %w", err), app.Profile)
	}
	if env.InTTY {
		fmt.Fprintf(env.Err, "sfecho: session saved for profile %s (%s store); `sfecho token%s` prints a valid access token\n",
			app.Profile, st.Name(), profileFlag(app.Profile))
	}
	return nil
}

// storeChoice is --store, else SFECHO_STORE, else the profile's store;
// explicit reports whether any of them named one ("" means the file store).
func storeChoice(env *Env, app *appOptions, flagValue string) (name string, explicit bool) {
	name = flagValue
	if name == "" {
		name = env.getenv("SFECHO_STORE")
	}
	if name == "" && app.prof != nil {
		name, _ = app.prof("store")
	}
	return name, name != ""
}

// checkStore fails before any request when the chosen store cannot work:
// a login whose tokens cannot be saved would leave a live grant at the
// site (issue 5: if the keyring is unavailable, say so and stop).
func checkStore(env *Env, app *appOptions, noStore bool, flagValue string) error {
	name, _ := storeChoice(env, app, flagValue)
	if noStore || name == "" || name == "file" {
		return nil
	}
	st, err := openStore(env, name)
	if err != nil {
		return err
	}
	if k, ok := st.(*store.Keyring); ok {
		if err := k.Check(); err != nil {
			return storeError(err, app.Profile)
		}
	}
	return nil
}
