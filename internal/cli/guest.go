package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
)

type guestOptions struct {
	app appOptions
	resultOptions
	UVID string
}

func newGuestCmd(env *Env) *cobra.Command {
	o := &guestOptions{}
	cmd := &cobra.Command{
		Use:   "guest",
		Short: "Get a guest (unique visitor) token for an Experience Cloud site",
		Long: `Get a token for an anonymous visitor with the Headless Guest Flow: authorize with
Auth-Request-Type: guest and Uvid-Hint: UVID <uuid>, then the token exchange with the bare
UVID. A fresh version 4 UUID is used unless --uvid gives one; the UVID is printed on stderr
so that a later "sfecho login --uvid" can carry the guest's context into a named login.
The token response goes to stdout; guest sessions are not saved.

The guest wire format is known from third-party code only; if a site wants another header
or prefix, override them with SFECHO_UVID_HEADER, SFECHO_UVID_PREFIX,
SFECHO_UVID_TOKEN_PREFIX and SFECHO_GUEST_REQUEST_TYPE (see the README).`,
		Example: `  sfecho guest --site https://acme.my.site.com/shop --client-id 3MVG9... -o json
  sfecho guest --site "$SITE" --client-id "$CID" --uvid 3f2504e0-4f89-41d3-9a0c-0305e82c3301 -o token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.app.resolve(cmd, env)
			if err != nil {
				return err
			}
			if err := o.resultOptions.resolve(in); err != nil {
				return err
			}
			return runGuest(cmd.Context(), env, o)
		},
	}
	fs := cmd.Flags()
	o.app.addFlags(fs)
	o.resultOptions.addFlags(cmd, false)
	fs.StringVar(&o.UVID, "uvid", "", "reuse this unique visitor ID (a version 4 UUID) instead of a fresh one")
	return cmd
}

// runGuest gets a guest token; guest sessions are never saved, so they
// never replace a user's.
func runGuest(ctx context.Context, env *Env, o *guestOptions) error {
	uvid := flow.NewUVID()
	if o.UVID != "" {
		var err error
		if uvid, err = flow.ParseUVID(o.UVID); err != nil {
			return err
		}
	}
	w, err := guestWire(env)
	if err != nil {
		return err
	}
	return runTokens(ctx, env, &o.app, &o.resultOptions, false, func(ctx context.Context, c *flow.Client) (*flow.Token, string, error) {
		fmt.Fprintf(env.Err, "Guest UVID: %s (carry it into a login with --uvid)\n", uvid)
		a, exchangeHeader := w.Guest(uvid)
		a.Capture = o.capture
		tok, err := c.Login(ctx, a, exchangeHeader)
		if err == nil {
			withUVID(tok, uvid)
		}
		return tok, "guest " + uvid, err
	})
}

// guestWire is the guest flow's wire format with the environment's
// overrides. Every default comes from third-party code ([3P S26, S28];
// protocol.md §7, Q4, Q5), so each can be changed without a new release:
//
//	SFECHO_GUEST_REQUEST_TYPE  Auth-Request-Type value (default "guest")
//	SFECHO_UVID_HEADER         hint header name (default "Uvid-Hint")
//	SFECHO_UVID_PREFIX         prefix at authorize (default "UVID "; "none" for none)
//	SFECHO_UVID_TOKEN_PREFIX   prefix at the token step (default none)
//	SFECHO_UVID_HINT_IN        body (default) or header: where login/register --uvid puts the plain UVID
func guestWire(env *Env) (flow.GuestWire, error) {
	w := flow.DefaultGuestWire()
	if v := env.getenv("SFECHO_GUEST_REQUEST_TYPE"); v != "" {
		w.RequestType = v
	}
	if v := env.getenv("SFECHO_UVID_HEADER"); v != "" {
		w.Header = v
	}
	if v := env.getenv("SFECHO_UVID_PREFIX"); v != "" {
		w.AuthorizePrefix = prefixValue(v)
	}
	if v := env.getenv("SFECHO_UVID_TOKEN_PREFIX"); v != "" {
		w.TokenPrefix = prefixValue(v)
	}
	switch v := strings.ToLower(env.getenv("SFECHO_UVID_HINT_IN")); v {
	case "", "body":
	case "header":
		w.HintInHeader = true
	default:
		// Never both: the only code that sends it refuses that (Q5).
		return w, usagef("SFECHO_UVID_HINT_IN must be body or header, not %q", v)
	}
	return w, nil
}

// prefixValue reads a prefix override: "none" is the empty prefix, and a
// word gets its separating space ("JWT" -> "JWT ").
func prefixValue(v string) string {
	if strings.EqualFold(v, "none") {
		return ""
	}
	if !strings.HasSuffix(v, " ") {
		v += " "
	}
	return v
}

// withUVID adds the guest's UVID to the printed token response, last, so a
// script reading -o json has it without parsing stderr; the site's fields
// keep their order.
func withUVID(tok *flow.Token, uvid string) {
	raw := bytes.TrimSpace(tok.Raw)
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil || m["uvid"] != nil {
		return
	}
	v, _ := json.Marshal(uvid)
	sep := ","
	if len(m) == 0 {
		sep = ""
	}
	tok.Raw = append(append(append(append([]byte{}, raw[:len(raw)-1]...), sep+`"uvid":`...), v...), '}')
	if tok.Fields != nil {
		tok.Fields["uvid"] = uvid
	}
}
