package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// logoutOptions are the inputs of sfecho logout.
type logoutOptions struct {
	sess  sessionOptions
	Force bool
}

func newLogoutCmd(env *Env) *cobra.Command {
	o := &logoutOptions{}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Revoke the saved session at the site and remove it",
		Long: `Revoke the saved session's refresh token at the site (its access tokens go with it), then
remove the saved session. A token the site already forgot counts as revoked. If the site
cannot be reached the session is kept, so that logout can be retried; --force removes it
anyway. With nothing saved, logout says so and exits 0, so a teardown can always run it.`,
		Example: `  sfecho logout
  sfecho logout --profile ci --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runLogout(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, noValidity)
	cmd.Flags().BoolVar(&o.Force, "force", false, "remove the saved session even if revoking fails")
	return cmd
}

func runLogout(ctx context.Context, env *Env, o *logoutOptions) error {
	profile := o.sess.app.Profile
	m, err := o.sess.manager(env)
	if err != nil {
		return err
	}
	_, err = m.Update(ctx, func(s *store.Session) (session.Action, error) {
		_, token := revokeTarget(s, false)
		if token == "" {
			env.warnf("the session's tokens were already revoked; nothing to revoke at the site")
			return session.Delete, nil
		}
		err := revoke(ctx, m, s, token)
		switch {
		case errors.Is(err, flow.ErrTokenInvalid):
			env.warnf("the site no longer knew the token (already revoked or expired)")
		case err != nil && o.Force:
			env.warnf("could not revoke at the site (%v); removing the saved session anyway (--force)", err)
		case err != nil:
			return session.Keep, fail(exitCode(ctx, err), err.Error(),
				"the saved session was kept; retry, or use --force to remove it without revoking", err)
		}
		return session.Delete, nil
	})
	var corrupt *store.CorruptError
	if errors.Is(err, session.ErrNoSession) && !errors.Is(err, store.ErrInKeyring) {
		// Teardown is idempotent: nothing saved is nothing to log out of.
		fmt.Fprintf(env.Err, "sfecho: no saved session for profile %s: nothing to log out\n", profile)
		return nil
	}
	if errors.As(err, &corrupt) {
		// Nothing in it can be revoked; logging out still means removing it.
		env.warnf("the saved session is damaged, so nothing was revoked at the site; removing it")
		err = m.Discard(ctx)
	}
	if err != nil {
		return sessionError(err, profile)
	}
	fmt.Fprintf(env.Err, "sfecho: logged out of profile %s\n", profile)
	return nil
}

// revoke revokes token at s's site with the manager's client.
func revoke(ctx context.Context, m *session.Manager, s *store.Session, token string) error {
	c, err := m.Client(s)
	if err != nil {
		return err
	}
	return c.Revoke(ctx, s.CommunityURL, token)
}
