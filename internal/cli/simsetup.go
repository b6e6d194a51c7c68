package cli

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sfecho/sfecho/internal/sim"
)

// simSetup are the sfecho sim switches that set the simulated site up
// wrong on purpose, one per setting sfecho doctor reports, so that each of
// its verdicts can be tried (issue 13).
type simSetup struct {
	ClientID              string
	Scopes                string
	CORSOrigins           []string
	NoPasswordless, NoReg bool
	NoForgot, NoGuest     bool
	PasswordlessRecaptcha bool
	ClockOffset           time.Duration
}

func (s *simSetup) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.ClientID, "client-id", sim.DemoClientID, "the app's consumer key (another value makes sfecho-demo an unknown client)")
	fs.StringVar(&s.Scopes, "scopes", strings.Join(sim.DefaultScopes, " "), "the app's selected OAuth scopes, space-separated")
	fs.StringArrayVar(&s.CORSOrigins, "cors-origin", nil, "allowlist this origin for the echo endpoint's CORS (repeatable; default: every origin)")
	fs.BoolVar(&s.NoPasswordless, "no-passwordless", false, "turn headless passwordless login off")
	fs.BoolVar(&s.NoReg, "no-registration", false, "turn headless registration off")
	fs.BoolVar(&s.NoForgot, "no-forgot-password", false, "turn headless forgot password off")
	fs.BoolVar(&s.NoGuest, "no-guest", false, `turn "Code and Credentials Flow for Guest Users" off`)
	fs.BoolVar(&s.PasswordlessRecaptcha, "passwordless-recaptcha", false, "passwordless init requires a reCAPTCHA token")
	fs.DurationVar(&s.ClockOffset, "clock-offset", 0, "run the site's clock this far ahead (negative: behind), Date header included")
}

// apply sets cfg up as the switches say.
func (s *simSetup) apply(cfg *sim.Config) {
	cfg.ClientID = s.ClientID
	cfg.Scopes = strings.Fields(strings.ReplaceAll(s.Scopes, ",", " "))
	cfg.CORSOrigins = s.CORSOrigins
	cfg.Passwordless.Enabled = cfg.Passwordless.Enabled && !s.NoPasswordless
	cfg.Passwordless.RequireRecaptcha = cfg.Passwordless.RequireRecaptcha || s.PasswordlessRecaptcha
	cfg.Registration.Enabled = cfg.Registration.Enabled && !s.NoReg
	cfg.ForgotPassword.Enabled = cfg.ForgotPassword.Enabled && !s.NoForgot
	cfg.Guest = cfg.Guest && !s.NoGuest
	if off := s.ClockOffset; off != 0 {
		cfg.Now = func() time.Time { return time.Now().Add(off) }
	}
}
