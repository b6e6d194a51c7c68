package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

// userinfoOptions are the inputs of sfecho userinfo.
type userinfoOptions struct {
	sess sessionOptions
}

func newUserinfoCmd(env *Env) *cobra.Command {
	o := &userinfoOptions{}
	cmd := &cobra.Command{
		Use:   "userinfo",
		Short: "Print the logged-in user's OpenID Connect UserInfo as JSON",
		Long: `Fetch {sfdc_community_url}/services/oauth2/userinfo with the saved session's access token
and print the JSON. The token is refreshed first when it is about to expire, and once more
if the site refuses it.`,
		Example: `  sfecho userinfo
  sfecho userinfo --profile ci | jq -r .email`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runUserinfo(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, true)
	return cmd
}

func runUserinfo(ctx context.Context, env *Env, o *userinfoOptions) error {
	st, err := openStore(env, o.sess.Store)
	if err != nil {
		return err
	}
	s, refreshed, err := freshSession(ctx, env, &o.sess, st, false)
	if err != nil {
		return err
	}
	c, err := clientFor(env, &o.sess, s)
	if err != nil {
		return err
	}
	raw, err := c.Userinfo(ctx, s.CommunityURL, s.AccessToken)
	if flow.KindOf(err) == flow.KindNoSession && !refreshed && s.RefreshToken != "" {
		// The site refused a token we thought valid (revoked, or a shorter
		// session timeout than assumed): refresh once and retry (errors.md U1).
		if s, _, err = freshSession(ctx, env, &o.sess, st, true); err != nil {
			return err
		}
		raw, err = c.Userinfo(ctx, s.CommunityURL, s.AccessToken)
	}
	if err != nil {
		return err
	}
	return writeJSON(env.Out, raw)
}
