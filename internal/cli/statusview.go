package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

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
	if c := ss.Check; c != nil {
		verdict := "could not ask: " + c.Detail
		switch {
		case c.Accepted != nil && *c.Accepted:
			verdict = "accepts the access token (" + c.Via + ")"
		case c.Accepted != nil:
			verdict = "does not accept the access token: " + c.Detail
			if c.Via != "" {
				verdict += " (" + c.Via + ")"
			}
		}
		row("site", verdict)
	}
	_, err := fmt.Fprint(env.Out, b.String())
	return err
}

// writeStatusTable prints status --all: one aligned line per session.
func writeStatusTable(env *Env, rows []sessionStatus) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(env.Out, "No saved sessions: sfecho login saves one.")
		return err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tUSER\tSITE\tEXPIRES\tSTORE\tSTATE")
	for _, r := range rows {
		expires := ""
		if !r.ExpiresAt.IsZero() && r.State != "revoked" {
			expires = r.ExpiresAt.Local().Format(time.RFC3339)
		}
		state := r.State
		if r.Error != "" {
			state += ": " + r.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", displayText(r.Profile), displayText(r.Username), displayText(r.Site),
			expires, r.Store, displayText(state))
	}
	_ = tw.Flush()
	_, err := fmt.Fprint(env.Out, b.String())
	return err
}

func describeState(ss sessionStatus) string {
	left := time.Duration(ss.ExpiresIn) * time.Second
	switch ss.State {
	case "revoked":
		return "revoked: the site no longer honours these tokens; run sfecho login"
	case "rejected":
		return "the site no longer accepts the access token; sfecho token will refresh it, or run sfecho login"
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
