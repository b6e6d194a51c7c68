package sim

// Demo user and app of [Demo].
const (
	DemoClientID = "sfecho-demo"
	DemoUsername = "demo@example.com"
	DemoPassword = "Demo-Passw0rd!"
)

// Demo returns the zero-setup configuration behind `sfecho demo` and the
// default of `sfecho sim`: a public client "sfecho-demo" whose callback is
// the site's echo URL, the app's default scopes (refresh_token included),
// one active user demo@example.com / "Demo-Passw0rd!", and every headless
// flow enabled. Passwordless needs no reCAPTCHA (Salesforce's default);
// registration and forgot password require one, since a real site cannot be
// saved without reCAPTCHA or authentication (protocol.md §5): any non-empty
// token except [BadRecaptcha] passes. Outbox and Logf are nil.
func Demo() Config {
	return Config{
		ClientID: DemoClientID,
		Users: []User{{
			Username: DemoUsername, Password: DemoPassword, Email: DemoUsername,
			FirstName: "Demo", LastName: "User", Phone: "+15555550100",
		}},
		Passwordless:   Flow{Enabled: true},
		Registration:   Flow{Enabled: true, RequireRecaptcha: true},
		ForgotPassword: Flow{Enabled: true, RequireRecaptcha: true},
		Guest:          true,
		Discovery:      true,
	}
}
