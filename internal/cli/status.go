package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/session"
	"github.com/sfecho/sfecho/internal/store"
)

// statusOptions are the inputs of sfecho status.
type statusOptions struct {
	sess  sessionOptions
	out   output
	JSON  bool // --json, the old spelling of -o json
	All   bool
	Check bool
}

func newStatusCmd(env *Env) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the saved session: who, where, and until when (tokens masked)",
		Long: `Show what is saved for the profile, without contacting the site: user, site, app, scope,
when the access token was issued and when it expires (and how that is known), and whether
a refresh token is saved. Tokens are masked. --all lists every saved session.

--check also asks the site whether it still accepts the access token (introspection, else
userinfo): a token the site dropped early shows as rejected.

Exit 0 when logged in, 4 when nothing is saved, the session was revoked, or (with --check)
the site refuses the token.`,
		Example: `  sfecho status
  sfecho status --all
  sfecho status --check
  sfecho status --profile ci -o json | jq .expires_in`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.resolve(cmd, env); err != nil {
				return err
			}
			if o.All {
				return runStatusAll(env, o)
			}
			return runStatus(cmd.Context(), env, o)
		},
	}
	o.sess.addFlags(cmd, withValidity)
	o.out.addFlag(cmd, "", "json", "text")
	fs := cmd.Flags()
	fs.BoolVar(&o.JSON, "json", false, "same as -o json")
	fs.BoolVar(&o.All, "all", false, "list every saved session")
	fs.BoolVar(&o.Check, "check", false, "ask the site whether the access token is still good")
	return cmd
}

// resolve settles the inputs. Without --check no request is made, so the
// flags that say how to reach the site cannot apply: refused, so that
// nobody believes --insecure did something here.
func (o *statusOptions) resolve(cmd *cobra.Command, env *Env) error {
	if !o.Check {
		for _, f := range []string{"ca-file", "insecure", "timeout", "client-secret-file"} {
			if cmd.Flags().Changed(f) {
				return usagef("--%s applies only with --check: status reads the saved session without contacting the site", f)
			}
		}
	}
	if o.All && o.Check {
		return usagef("--check asks about one session: drop --all, or name it with --profile")
	}
	if o.JSON {
		if o.out.Value != "" && o.out.Value != "json" {
			return usagef("--json and -o %s disagree", o.out.Value)
		}
		o.out.Value = "json"
	}
	if err := o.sess.resolve(cmd, env); err != nil {
		return err
	}
	_, err := o.out.resolve(env)
	return err
}

func runStatus(ctx context.Context, env *Env, o *statusOptions) error {
	format, _ := o.out.resolve(env)
	m, err := o.sess.manager(env)
	if err != nil {
		return err
	}
	s, err := m.Load()
	if err != nil {
		err = sessionError(err, o.sess.app.Profile)
		if o.out.Value == "json" && errors.Is(err, session.ErrNoSession) {
			// Scripts piping to jq still get one object to read.
			env.jsonErrors = false
			_ = writeValue(env.Out, map[string]any{"profile": o.sess.app.Profile, "store": m.Store.Name(), "state": "none",
				"error": errorObject(ExitNoSession, err, env.secrets())})
		}
		return err
	}
	ss := statusOf(s, m)
	if o.Check && ss.State != "revoked" {
		ss.Check = checkToken(ctx, m, s)
		if ss.Check.Accepted != nil && !*ss.Check.Accepted {
			ss.State = "rejected"
		}
	}
	if format == "json" {
		err = writeValue(env.Out, ss)
	} else {
		err = writeStatus(env, ss)
	}
	switch {
	case err != nil:
		return err
	case ss.State == "revoked" || ss.State == "rejected":
		return &Error{Code: ExitNoSession, Silent: true} // not logged in (any more)
	case ss.Check != nil && ss.Check.Accepted == nil:
		return &Error{Code: ss.Check.code, Silent: true} // the site could not be asked
	}
	return nil
}

// runStatusAll lists every saved session, in both stores.
func runStatusAll(env *Env, o *statusOptions) error {
	format, _ := o.out.resolve(env)
	saved, err := store.List(sessionsDir(env))
	if err != nil {
		return fail(ExitUsage, "cannot list the saved sessions: "+err.Error(), "", err)
	}
	rows := []sessionStatus{}
	for _, sv := range saved {
		st, err := openStore(env, sv.Store)
		if err != nil {
			continue
		}
		m := &session.Manager{Store: st, Profile: sv.Profile, Now: env.Now, MinValid: o.sess.MinValid, Lifetime: o.sess.Lifetime}
		s, err := m.Load()
		if err != nil {
			rows = append(rows, sessionStatus{Profile: sv.Profile, Store: sv.Store, State: "unreadable", Error: err.Error()})
			continue
		}
		rows = append(rows, statusOf(s, m))
	}
	if format == "json" {
		return writeValue(env.Out, rows)
	}
	return writeStatusTable(env, rows)
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
	// Check is what the site said with --check.
	Check *tokenCheck `json:"check,omitempty"`
	// Error says why a session listed by --all could not be read.
	Error string `json:"error,omitempty"`
}

// tokenCheck is the site's verdict on the access token (status --check).
type tokenCheck struct {
	Accepted *bool  `json:"accepted"` // null: the site could not be asked
	Via      string `json:"via,omitempty"`
	Detail   string `json:"detail,omitempty"`
	code     int    // the exit code when the site could not be asked
}

// checkToken asks the site whether s's access token is still good:
// introspection, else userinfo (a refused token there is a no). It changes
// nothing saved.
func checkToken(ctx context.Context, m *session.Manager, s *store.Session) *tokenCheck {
	no, yes := false, true
	if s.AccessToken == "" {
		return &tokenCheck{Accepted: &no, Detail: "no access token is saved (sfecho token refreshes it)"}
	}
	c, err := m.Client(s)
	if err != nil {
		return &tokenCheck{Detail: err.Error(), code: exitCode(ctx, err)}
	}
	if in, err := c.Introspect(ctx, s.CommunityURL, s.AccessToken, "access_token"); err == nil {
		if in.Active {
			return &tokenCheck{Accepted: &yes, Via: "introspect"}
		}
		return &tokenCheck{Accepted: &no, Via: "introspect", Detail: "the site says the token is not active"}
	}
	_, err = c.Userinfo(ctx, s.CommunityURL, s.AccessToken)
	switch {
	case err == nil:
		return &tokenCheck{Accepted: &yes, Via: "userinfo"}
	case flow.KindOf(err) == flow.KindNoSession:
		return &tokenCheck{Accepted: &no, Via: "userinfo", Detail: "the site refused the token"}
	}
	return &tokenCheck{Detail: err.Error(), code: exitCode(ctx, err)}
}
