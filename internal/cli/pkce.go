package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/pkce"
)

func newPKCECmd(env *Env) *cobra.Command {
	var verifier string
	var out output
	cmd := &cobra.Command{
		Use:   "pkce",
		Short: "Print a PKCE verifier (128 characters) and its S256 challenge",
		Example: `  sfecho pkce
  sfecho pkce --verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk | jq -r .code_challenge`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			format, err := out.resolve(env)
			if err != nil {
				return err
			}
			if verifier == "" {
				verifier = pkce.NewVerifier()
			} else if err := pkce.ValidVerifier(verifier); err != nil {
				return usagef("--verifier: %v", err)
			}
			b, _ := json.Marshal(struct {
				Verifier  string `json:"code_verifier"`
				Challenge string `json:"code_challenge"`
				Method    string `json:"code_challenge_method"`
			}{verifier, pkce.ChallengeS256(verifier), pkce.Method})
			if format == "text" {
				return writeFields(env.Out, b, nil)
			}
			_, err = fmt.Fprintln(env.Out, string(b))
			return err
		},
	}
	out.addFlag(cmd, "", "json", "text")
	cmd.Flags().StringVar(&verifier, "verifier", "", "use this verifier (43-128 unreserved characters) instead of a new 128-character one")
	return cmd
}
