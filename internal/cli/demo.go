package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
)

type demoOptions struct {
	out     output
	Capture string
}

func newDemoCmd(env *Env) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole headless login against an in-process simulated site (no setup)",
		Long: `Start the simulated Experience Cloud site in this process and run the whole flow against it,
narrating each step on stderr: PKCE, authorize, the 302, the code, the token exchange and
userinfo. The token response goes to stdout. Nothing to configure.`,
		Example: `  sfecho demo
  sfecho demo -v            # with the full HTTP trace, secrets masked
  sfecho demo -o json | jq .instance_url`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			verbose, _ := cmd.Flags().GetBool("verbose")
			return runDemo(cmd.Context(), env, o, verbose || env.getenv("SFECHO_DEBUG") == "1")
		},
	}
	o.out.addFlag(cmd, "", tokenFormats...)
	cmd.Flags().StringVar(&o.Capture, "capture", "location", "how the 302 is captured: location or echo")
	return cmd
}

// demoStep narrates one step of the demo on stderr.
func demoStep(env *Env) func(string, ...any) {
	return func(f string, a ...any) { fmt.Fprintf(env.Err, "==> "+f+"\n", a...) }
}

func runDemo(ctx context.Context, env *Env, o *demoOptions, verbose bool) error {
	format, err := o.out.resolve(env)
	if err != nil {
		return err
	}
	capture, err := captureMode(o.Capture)
	if err != nil || capture == flow.CaptureLocal {
		return usagef("demo --capture must be location or echo")
	}
	cfg := sim.Demo()
	site := sim.New(cfg)
	srv, err := startSim(site, "127.0.0.1:0", "", true)
	if err != nil {
		return err
	}
	defer srv.Close()
	step := demoStep(env)
	user := cfg.Users[0]
	step("simulated Experience Cloud site at %s (client id %s, user %s)", srv.URL, cfg.ClientID, user.Username)
	c, err := demoClient(env, srv, cfg.ClientID, verbose)
	if err != nil {
		return err
	}
	defer c.HTTP.CloseIdleConnections() // lets the server shut down at once
	c.Logf = step
	a := flow.Authorization{User: user.Username, Secret: user.Password, Capture: capture}
	tok, err := c.Login(ctx, a, nil)
	if err != nil {
		return err
	}
	if err := demoUserinfo(ctx, env, c, tok); err != nil {
		return err
	}
	if err := writeToken(env, format, tok, user.Username); err != nil {
		return err
	}
	if err := demoPasswordless(ctx, c, site, user.Username, capture); err != nil {
		return err
	}
	step("done: this is what sfecho login (and login --passwordless) print against a real site (see sfecho login --help)")
	return nil
}

// demoClient trusts the simulator's fresh certificate, and nothing else.
func demoClient(env *Env, srv *simServer, clientID string, verbose bool) (*flow.Client, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CAPEM)
	site, err := url.Parse(srv.URL)
	if err != nil {
		return nil, err
	}
	hc := newHTTPClient(env, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, verbose, 10*time.Second)
	return &flow.Client{HTTP: hc, Site: site, ClientID: clientID, Scope: "api refresh_token openid"}, nil
}

func demoUserinfo(ctx context.Context, env *Env, c *flow.Client, tok *flow.Token) error {
	raw, err := c.Userinfo(ctx, tok.CommunityURL, tok.AccessToken)
	if err != nil {
		return err
	}
	var ui struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		UserType string `json:"user_type"`
	}
	_ = json.Unmarshal(raw, &ui)
	demoStep(env)("userinfo: %s <%s>, user_type %s", ui.Name, ui.Email, ui.UserType)
	return nil
}

// demoPasswordless narrates a passwordless login with the same user: the
// init step, the OTP (which the demo reads from the simulator's outbox
// where a real user would read an email), authorize with
// passwordless-login, tokens. Its tokens are summarized, masked, on stderr;
// stdout keeps the password login's answer.
func demoPasswordless(ctx context.Context, c *flow.Client, site *sim.Site, user string, capture flow.Capture) error {
	c.Logf("now passwordless: the same user, a one-time password instead of a password")
	ch, err := c.InitPasswordless(ctx, flow.PasswordlessInit{Username: user, Method: flow.MethodEmail})
	if err != nil {
		return err
	}
	otp, ok := site.LastOTP(ch.Identifier)
	if !ok {
		return &Error{Code: ExitError, Msg: "demo: the simulated site sent no OTP"}
	}
	c.Logf("the OTP went by email; the demo reads it from the simulator's outbox (you would type it, or set SFECHO_OTP)")
	a := flow.OTPAuthorization(flow.RequestPasswordless, *ch, otp)
	a.Capture = capture
	tok, err := c.Login(ctx, a, nil)
	if err != nil {
		return err
	}
	c.Logf("passwordless login done: access token %s, refresh token %s", maskToken(tok.AccessToken), maskToken(tok.RefreshToken))
	return nil
}
