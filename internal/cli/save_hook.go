package cli

import (
	"context"

	"github.com/sfecho/sfecho/internal/flow"
)

// saveLogin saves the session after a login. Until saved sessions exist it
// does nothing.
func saveLogin(ctx context.Context, env *Env, app *appOptions, noStore bool, store, user string, tok *flow.Token) error {
	_, _, _, _, _, _, _ = ctx, env, app, noStore, store, user, tok
	return nil
}
