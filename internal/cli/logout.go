package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
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
anyway.`,
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
	o.sess.addFlags(cmd, false)
	cmd.Flags().BoolVar(&o.Force, "force", false, "remove the saved session even if revoking fails")
	return cmd
}

func runLogout(ctx context.Context, env *Env, o *logoutOptions) error {
	profile := o.sess.app.Profile
	st, err := openStore(env, o.sess.Store)
	if err != nil {
		return err
	}
	unlock, err := lockProfile(ctx, env, profile)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := st.Load(profile)
	var corrupt *store.CorruptError
	switch {
	case errors.As(err, &corrupt):
		// Nothing in it can be revoked; logging out still means removing it.
		env.warnf("the saved session is damaged, so nothing was revoked at the site; removing it")
		return deleteSession(env, st, profile)
	case err != nil:
		return storeError(err, profile)
	}
	_, token := revokeTarget(s, false)
	if token == "" {
		env.warnf("the session's tokens were already revoked; nothing to revoke at the site")
		return deleteSession(env, st, profile)
	}
	c, err := clientFor(env, &o.sess, s)
	if err == nil {
		err = c.Revoke(ctx, s.CommunityURL, token)
	}
	switch {
	case errors.Is(err, flow.ErrTokenInvalid):
		env.warnf("the site no longer knew the token (already revoked or expired)")
	case err != nil && o.Force:
		env.warnf("could not revoke at the site (%v); removing the saved session anyway (--force)", err)
	case err != nil:
		return &exitError{code: exitCode(ctx, err), msg: err.Error(),
			advice: "the saved session was kept; retry, or use --force to remove it without revoking"}
	}
	return deleteSession(env, st, profile)
}

func deleteSession(env *Env, st store.Store, profile string) error {
	if err := st.Delete(profile); err != nil {
		return storeError(err, profile)
	}
	fmt.Fprintf(env.Err, "sfecho: logged out of profile %s\n", profile)
	return nil
}
