package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// userinfoOptions are the inputs of sfecho userinfo.
type userinfoOptions struct {
	sess sessionOptions
	out  output
}

func newUserinfoCmd(env *Env) *cobra.Command {
	o := &userinfoOptions{}
	cmd := &cobra.Command{
		Use:   "userinfo",
		Short: "Print the logged-in user's OpenID Connect UserInfo",
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
	o.sess.addFlags(cmd, withValidity)
	o.out.addFlag(cmd, "", "json", "text")
	return cmd
}

func runUserinfo(ctx context.Context, env *Env, o *userinfoOptions) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	m, s, refreshed, err := o.sess.valid(ctx, env, false)
	if err != nil {
		return err
	}
	raw, err := userinfo(ctx, m, s)
	if flow.KindOf(err) == flow.KindNoSession && !refreshed && s.RefreshToken != "" {
		// The site refused a token we thought valid (revoked, or a shorter
		// session timeout than assumed): refresh once and retry (errors.md U1).
		if s, _, err = m.Valid(ctx, true); err != nil {
			return sessionError(err, o.sess.app.Profile)
		}
		raw, err = userinfo(ctx, m, s)
	}
	if err != nil {
		return err
	}
	if format == "text" {
		return writeFields(env.Out, raw, nil)
	}
	return writeJSON(env.Out, raw)
}

func userinfo(ctx context.Context, m *session.Manager, s *store.Session) ([]byte, error) {
	c, err := m.Client(s)
	if err != nil {
		return nil, err
	}
	return c.Userinfo(ctx, s.CommunityURL, s.AccessToken)
}
