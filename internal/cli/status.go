package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// statusOptions are the inputs of sfecho status.
type statusOptions struct {
	sess sessionOptions
	JSON bool
}

func newStatusCmd(env *Env) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the saved session: who, where, and until when (tokens masked)",
		Long: `Show what is saved for the profile, without contacting the site: user, site, app, scope,
when the access token was issued and when it expires (and how that is known), and whether
a refresh token is saved. Tokens are masked. Exit 4 when nothing is saved.`,
		Example: `  sfecho status
  sfecho status --profile ci --json | jq .expires_in`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.sess.resolve(cmd, env); err != nil {
				return err
			}
			return runStatus(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, true)
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the status as JSON")
	return cmd
}

// sessionStatus is what status prints; the JSON keys are stable.
type sessionStatus struct {
	Profile      string    `json:"profile"`
	Store        string    `json:"store"`
	State        string    `json:"state"` // valid, expiring, expired
	Site         string    `json:"site"`
	ClientID     string    `json:"client_id"`
	Username     string    `json:"username,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	InstanceURL  string    `json:"instance_url,omitempty"`
	CommunityURL string    `json:"sfdc_community_url,omitempty"`
	TokenFormat  string    `json:"token_format,omitempty"`
	AccessToken  string    `json:"access_token"` // masked
	Refreshable  bool      `json:"refreshable"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	ExpirySource string    `json:"expiry_source"`
	ExpiresIn    int64     `json:"expires_in"` // seconds; negative once expired
	SavedAt      time.Time `json:"saved_at"`
}

func runStatus(_ context.Context, env *Env, o *statusOptions) error {
	m, err := o.sess.manager(env)
	if err != nil {
		return err
	}
	s, err := m.Load()
	if err != nil {
		if o.JSON && errors.Is(err, session.ErrNoSession) {
			// Scripts piping to jq still get an object to read.
			b, _ := json.MarshalIndent(map[string]string{"profile": o.sess.app.Profile, "store": m.Store.Name(), "state": "none"}, "", "  ")
			fmt.Fprintf(env.Out, "%s\n", b)
		}
		return sessionError(err, o.sess.app.Profile)
	}
	ss := statusOf(s, m)
	if o.JSON {
		b, _ := json.MarshalIndent(ss, "", "  ")
		_, err = fmt.Fprintf(env.Out, "%s\n", b)
	} else {
		err = writeStatus(env, ss)
	}
	if err == nil && ss.State == "revoked" {
		return &Error{Code: ExitNoSession, Silent: true} // not logged in (any more)
	}
	return err
}

func statusOf(s *store.Session, m *session.Manager) sessionStatus {
	now := m.Now()
	exp, src := m.Expiry(s)
	state := "valid"
	switch {
	case session.Revoked(s):
		state, exp = "revoked", now
	case s.AccessToken == "":
		state = "expired"
	case !now.Before(exp):
		state = "expired"
	case m.NeedsRefresh(s):
		state = "expiring"
	}
	if state == "revoked" {
		src = ""
	}
	return sessionStatus{
		Profile: s.Profile, Store: m.Store.Name(), State: state, Site: s.Site, ClientID: s.ClientID,
		Username: s.Username, Scope: s.Scope, InstanceURL: s.InstanceURL, CommunityURL: s.CommunityURL,
		TokenFormat: s.TokenFormat, AccessToken: maskToken(s.AccessToken), Refreshable: s.RefreshToken != "",
		IssuedAt: s.IssuedAt, ExpiresAt: exp.UTC(), ExpirySource: src,
		ExpiresIn: int64(exp.Sub(now) / time.Second), SavedAt: s.SavedAt,
	}
}

func writeStatus(env *Env, ss sessionStatus) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Profile %s (%s store): %s\n", ss.Profile, ss.Store, describeState(ss))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-14s %s\n", k, displayText(v))
		}
	}
	row("user", ss.Username)
	row("site", ss.Site)
	row("client id", ss.ClientID)
	row("scope", ss.Scope)
	row("instance url", ss.InstanceURL)
	row("community url", ss.CommunityURL)
	if ss.State != "revoked" {
		row("access token", ss.AccessToken)
		row("issued", ss.IssuedAt.Local().Format(time.RFC3339))
		row("expires", ss.ExpiresAt.Local().Format(time.RFC3339)+" ("+describeSource(ss.ExpirySource)+")")
		refresh := "none: log in again when the access token expires"
		if ss.Refreshable {
			refresh = "saved"
		}
		row("refresh token", refresh)
	}
	_, err := fmt.Fprint(env.Out, b.String())
	return err
}

func describeState(ss sessionStatus) string {
	left := time.Duration(ss.ExpiresIn) * time.Second
	switch ss.State {
	case "revoked":
		return "revoked: the site no longer honours these tokens; run sfecho login"
	case "expired":
		if ss.Refreshable {
			return "access token expired; sfecho token will refresh it"
		}
		return "access token expired"
	case "expiring":
		return fmt.Sprintf("access token expires in %v; sfecho token will refresh it", left)
	}
	return fmt.Sprintf("logged in, access token valid for %v", left)
}
