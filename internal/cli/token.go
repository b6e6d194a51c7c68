package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/store"
)

// tokenOptions are the inputs of sfecho token.
type tokenOptions struct {
	sess sessionOptions
	out  output
}

func newTokenCmd(env *Env) *cobra.Command {
	o := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token from the saved session, refreshing it first when needed",
		Long: `Print the saved session's access token and nothing else, for scripts and CI.

A token with more than --min-valid left is printed at once, without a request. Otherwise
sfecho refreshes it first, under a lock shared by every sfecho process of this profile, and
saves the new tokens before printing (refresh tokens may be single-use). Salesforce sends no
expires_in: expiry comes from a JWT's exp, from one introspection request the first time a
new opaque token is used (the answer is saved), or from --session-lifetime after issued_at.

Exit 4 means there is no saved session or it can no longer be refreshed: run sfecho login.`,
		Example: `  export SF_TOKEN=$(sfecho token)
  curl -H "$(sfecho token -o header)" "$SF_INSTANCE_URL/services/data/v62.0/"
  eval "$(sfecho token --profile ci -o env)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runToken(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, withValidity)
	o.out.addFlag(cmd, "token", sessionFormats...)
	return cmd
}

func runToken(ctx context.Context, env *Env, o *tokenOptions) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	_, s, _, err := o.sess.valid(ctx, env, false)
	if err != nil {
		return err
	}
	return writeSession(env, format, s)
}

// sessionFormats are the -o values of the commands that print a saved
// session's token.
var sessionFormats = []string{"token", "header", "env", "json", "text", "github"}

// writeSession prints s's token in format: the bare access token, an
// Authorization header line, export lines for eval, the token response
// (login's, with the latest refresh's fields laid over it), or a summary
// with every token masked.
func writeSession(env *Env, format string, s *store.Session) error {
	switch format {
	case "header":
		_, err := fmt.Fprintf(env.Out, "Authorization: Bearer %s\n", s.AccessToken)
		return err
	case "env":
		return writeEnv(env.Out, sessionToken(s))
	case "json":
		return writeJSON(env.Out, sessionToken(s).Raw)
	case "text":
		return writeText(env.Out, sessionToken(s), s.Username, env.secrets())
	case "github":
		return writeGitHub(env, sessionToken(s))
	}
	_, err := fmt.Fprintln(env.Out, s.AccessToken)
	return err
}

// sessionToken returns s as a flow.Token, for the output writers.
func sessionToken(s *store.Session) *flow.Token {
	tok, err := flow.ParseToken(s.Token)
	if err != nil {
		tok = &flow.Token{Raw: s.Token}
	}
	tok.AccessToken, tok.RefreshToken = s.AccessToken, s.RefreshToken
	tok.InstanceURL, tok.CommunityURL = s.InstanceURL, s.CommunityURL
	return tok
}
