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
	explicit := storeName != ""
	if storeName == "" {
		storeName = env.getenv("SFECHO_STORE")
	}
	if storeName == "" && app.prof != nil {
		storeName, _ = app.prof("store")
	}
	explicit = explicit || storeName != ""
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
