package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

// refreshOptions are the inputs of sfecho refresh.
type refreshOptions struct {
	sess sessionOptions
	out  output
}

func newRefreshCmd(env *Env) *cobra.Command {
	o := &refreshOptions{}
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Refresh the saved session's access token now",
		Long: `Trade the saved refresh token for a new access token, whatever time is left, and save
the answer (with refresh token rotation, the new refresh token too) before anything else.
It runs under the same cross-process lock as sfecho token.

Without -o it prints one line on stderr saying until when the new token is valid.`,
		Example: `  sfecho refresh
  sfecho refresh --profile ci -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runRefresh(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, withLifetime)
	o.out.addFlag(cmd, "", sessionFormats...)
	cmd.Flag("output").Usage = "print the new token: token, header, env, json, text or github (default: nothing on stdout, one line on stderr)"
	return cmd
}

func runRefresh(ctx context.Context, env *Env, o *refreshOptions) error {
	format := ""
	if o.out.Value != "" {
		var err error
		if format, err = o.out.resolve(env); err != nil {
			return err
		}
	}
	m, s, _, err := o.sess.valid(ctx, env, true)
	if err != nil {
		return err
	}
	if format != "" {
		return writeSession(env, format, s)
	}
	exp, src := m.Expiry(s)
	fmt.Fprintf(env.Err, "sfecho: refreshed profile %s; the access token is valid until %s (%s)\n",
		o.sess.app.Profile, exp.Local().Format(time.RFC3339), describeSource(src))
	return nil
}

// describeSource says how an expiry is known, for people.
func describeSource(src string) string {
	switch src {
	case flow.ExpiryJWT:
		return "from the JWT's exp"
	case flow.ExpiryIntrospect:
		return "from introspection"
	}
	return "assumed: issued_at + --session-lifetime"
}
