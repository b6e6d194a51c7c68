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

// revokeOptions are the inputs of sfecho revoke.
type revokeOptions struct {
	sess        sessionOptions
	AccessToken bool
}

func newRevokeCmd(env *Env) *cobra.Command {
	o := &revokeOptions{}
	cmd := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke the saved session's tokens at the site",
		Long: `Revoke the saved session's refresh token at the site, which also revokes every access
token issued from it. With --access-token, revoke only the current access token: the next
sfecho token then refreshes.

The saved session is kept (sfecho logout revokes and removes it), without the revoked
tokens, so sfecho token never hands them out again.

Exit codes: 0 revoked; 3 the site no longer knew the token (already revoked or expired;
it is forgotten here too); 4 no saved session, or nothing left to revoke; 6 the site could
not be reached (nothing changed); 2 a local problem with the saved session.`,
		Example: `  sfecho revoke
  sfecho revoke --access-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runRevoke(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, noValidity)
	cmd.Flags().BoolVar(&o.AccessToken, "access-token", false, "revoke only the access token")
	return cmd
}

func runRevoke(ctx context.Context, env *Env, o *revokeOptions) error {
	profile := o.sess.app.Profile
	m, err := o.sess.manager(env)
	if err != nil {
		return err
	}
	var what string
	_, err = m.Update(ctx, func(s *store.Session) (session.Action, error) {
		var token string
		what, token = revokeTarget(s, o.AccessToken)
		if token == "" {
			return session.Keep, session.ErrRevoked // nothing left to revoke
		}
		err := revoke(ctx, m, s, token)
		if err != nil && !errors.Is(err, flow.ErrTokenInvalid) {
			return session.Keep, err
		}
		// Revoked, or already dead at the site: either way the saved copy
		// must not be handed out again by sfecho token.
		session.ForgetTokens(s, o.AccessToken && s.RefreshToken != "")
		return session.Save, err
	})
	if err != nil {
		return sessionError(err, profile)
	}
	fmt.Fprintf(env.Err, "sfecho: revoked the %s of profile %s\n", what, profile)
	return nil
}

// revokeTarget picks the token to revoke: the refresh token (which takes
// its access tokens with it) unless only the access token is asked for or
// there is no refresh token.
func revokeTarget(s *store.Session, accessOnly bool) (what, token string) {
	if accessOnly || s.RefreshToken == "" {
		return "access token", s.AccessToken
	}
	return "refresh token and its access tokens", s.RefreshToken
}
