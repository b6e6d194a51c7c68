package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/doctor"
	"github.com/sfecho/sfecho/internal/sim"
)

// doctorConfig is a site with every headless flow on and no reCAPTCHA, so
// every probe passes.
func doctorConfig() sim.Config {
	cfg := flowsConfig()
	cfg.Registration.RequireRecaptcha, cfg.ForgotPassword.RequireRecaptcha = false, false
	return cfg
}

func (ts *testSite) doctorArgs(extra ...string) []string {
	return append([]string{"doctor", "--site", ts.URL, "--client-id", testClient, "-o", "json"}, extra...)
}

// runDoctor runs doctor and decodes its JSON report.
func (te *testEnv) doctor(t *testing.T, args ...string) (int, map[string]doctor.Check) {
	t.Helper()
	code := te.run(t, args...)
	var list []doctor.Check
	if err := json.Unmarshal(te.stdout.Bytes(), &list); err != nil {
		t.Fatalf("exit %d, stdout is not a JSON array: %v\n%s\nstderr:\n%s", code, err, te.stdout, te.stderr)
	}
	byName := map[string]doctor.Check{}
	for _, c := range list {
		byName[c.Check] = c
	}
	return code, byName
}

// wantZeroHarm checks the site was not made to message, create or lock.
func wantZeroHarm(t *testing.T, ts *testSite) {
	t.Helper()
	if ts.OTPsSent() != 0 || ts.UsersCreated() != 0 || ts.FailedLogins() != 0 {
		t.Errorf("the run sent %d OTPs, created %d users, failed %d logins of members; want 0, 0, 0",
			ts.OTPsSent(), ts.UsersCreated(), ts.FailedLogins())
	}
}

func TestDoctorPassesAgainstSim(t *testing.T) {
	ts := startSite(t, doctorConfig(), nil)
	te := newTestEnv(t)
	code, checks := te.doctor(t, ts.doctorArgs()...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stdout)
	}
	for _, name := range []string{"site", "dns", "tcp", "tls", "http2", "echo", "discovery", "app", "pkce", "clock"} {
		c, ok := checks[name]
		if !ok || c.Status != doctor.Passed || c.Advice != "" || c.ErrorsMD != "" {
			t.Errorf("%s = %+v; want passed without advice", name, c)
		}
	}
	if d := checks["app"].Detail; !contains(d, "authentication failure") || !contains(d, "set up") {
		t.Errorf("app detail = %q", d)
	}
	wantZeroHarm(t, ts)
	// Every key of the JSON contract is there, advice and errors_md too.
	var raw []map[string]any
	json.Unmarshal(te.stdout.Bytes(), &raw)
	for _, k := range []string{"check", "status", "detail", "advice", "errors_md"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, raw[0])
		}
	}
}

// TestDoctorVerdicts sets the simulator up wrong in each way doctor reports
// and checks that doctor names the cause, its errors.md entry and advice,
// and the exit code.
func TestDoctorVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*sim.Config)
		args   []string
		env    map[string]string
		check  string
		status doctor.Status
		entry  string
		detail string // a substring of the detail
		exit   int
	}{
		{name: "flow off (A4 JSON)", setup: func(c *sim.Config) { c.FlowDisabled = true },
			check: "app", status: doctor.Failed, entry: "A4", detail: "invalid_client: code credential flow not enabled", exit: 5},
		{name: "flow off (HTML page)", setup: func(c *sim.Config) { c.FlowDisabled, c.FlowDisabledError = true, sim.FlowDisabledHTML },
			check: "app", status: doctor.Failed, entry: "A4", detail: "HTML login page", exit: 5},
		{name: "flow off (oauth_flow_disabled)", setup: func(c *sim.Config) { c.FlowDisabled, c.FlowDisabledError = true, "oauth_flow_disabled" },
			check: "app", status: doctor.Failed, entry: "A4", detail: "oauth_flow_disabled", exit: 5},
		{name: "org switch (unsupported_response_type)", setup: func(c *sim.Config) { c.FlowDisabled, c.FlowDisabledError = true, "unsupported_response_type" },
			check: "app", status: doctor.Failed, entry: "A3", exit: 5},
		{name: "unknown client", setup: func(c *sim.Config) { c.ClientID = "someone-else" },
			check: "app", status: doctor.Failed, entry: "A1", detail: "invalid_client_id", exit: 5},
		{name: "callback not registered", setup: func(c *sim.Config) { c.RedirectURIs = []string{"https://app.example/cb"} },
			check: "app", status: doctor.Failed, entry: "A2", detail: "redirect_uri_mismatch", exit: 5},
		{name: "credentials required in the body", setup: func(c *sim.Config) { c.CredentialsInBody = true },
			check: "app", status: doctor.Failed, entry: "A5", detail: "--credentials-in-body", exit: 5},
		{name: "credentials in the body, flag given", setup: func(c *sim.Config) { c.CredentialsInBody = true },
			args: []string{"--credentials-in-body"}, check: "app", status: doctor.Passed, exit: 0},
		{name: "scope the app lacks", setup: func(c *sim.Config) { c.Scopes = []string{"api", "openid"} },
			args: []string{"--scope", "api refresh_token"}, check: "app", status: doctor.Failed, entry: "A13", detail: "not selected on the app", exit: 5},
		{name: "PKCE required", setup: func(c *sim.Config) { c.RequirePKCE = true },
			check: "pkce", status: doctor.Passed, detail: "required by the app", exit: 0},
		{name: "PKCE not required",
			check: "pkce", status: doctor.Passed, detail: "not required", exit: 0},
		{name: "CORS origin not allowed", setup: func(c *sim.Config) { c.CORSOrigins = []string{"https://good.example"} },
			args: []string{"--origin", "https://evil.example"}, check: "cors", status: doctor.Failed, entry: "B5", exit: 5},
		{name: "CORS origin allowed", setup: func(c *sim.Config) { c.CORSOrigins = []string{"https://good.example"} },
			args: []string{"--origin", "https://good.example/"}, check: "cors", status: doctor.Passed, exit: 0},
		{name: "passwordless off", setup: func(c *sim.Config) { c.Passwordless.Enabled = false },
			args: []string{"--probe", "passwordless"}, check: "passwordless", status: doctor.Failed, entry: "I3", exit: 5},
		{name: "passwordless on", args: []string{"--probe", "passwordless"}, check: "passwordless", status: doctor.Passed, exit: 0},
		{name: "forgot password off", setup: func(c *sim.Config) { c.ForgotPassword.Enabled = false },
			args: []string{"--probe", "forgot-password"}, check: "forgot-password", status: doctor.Failed, entry: "I3", exit: 5},
		{name: "guest off", setup: func(c *sim.Config) { c.Guest = false },
			args: []string{"--probe", "guest"}, check: "guest", status: doctor.Failed, entry: "A18", exit: 5},
		{name: "guest on", args: []string{"--probe", "guest"}, check: "guest", status: doctor.Passed, exit: 0},
		{name: "reCAPTCHA required, no token", setup: func(c *sim.Config) { c.Passwordless.RequireRecaptcha = true },
			args: []string{"--probe", "passwordless"}, check: "passwordless", status: doctor.Unknown, entry: "I1", detail: "--recaptcha", exit: 0},
		{name: "reCAPTCHA required, token refused", setup: func(c *sim.Config) { c.ForgotPassword.RequireRecaptcha = true },
			args: []string{"--probe", "forgot-password"}, env: map[string]string{"SFECHO_RECAPTCHA": sim.BadRecaptcha},
			check: "forgot-password", status: doctor.Failed, entry: "I1", exit: 5},
		{name: "reCAPTCHA required, token given", setup: func(c *sim.Config) { c.ForgotPassword.RequireRecaptcha = true },
			args: []string{"--probe", "forgot-password", "--recaptcha", "tok"}, check: "forgot-password", status: doctor.Passed, exit: 0},
		{name: "integration token required", setup: func(c *sim.Config) { c.Passwordless.RequireAuth, c.Passwordless.AuthToken = true, "int-tok" },
			args: []string{"--probe", "passwordless"}, check: "passwordless", status: doctor.Unknown, entry: "I2", exit: 0},
		{name: "clock ahead", setup: func(c *sim.Config) { c.Now = func() time.Time { return time.Now().Add(10 * time.Minute) } },
			check: "clock", status: doctor.Failed, entry: "N7", detail: "behind the site's Date header", exit: 5},
		{name: "site answers 503", setup: func(c *sim.Config) { c.Fail = map[string]sim.Failure{sim.EndpointAuthorize: {Status: 503}} },
			check: "app", status: doctor.Failed, entry: "N6", exit: 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := doctorConfig()
			if tc.setup != nil {
				tc.setup(&cfg)
			}
			ts := startSite(t, cfg, nil)
			te := newTestEnv(t)
			for k, v := range tc.env {
				te.vars[k] = v
			}
			code, checks := te.doctor(t, ts.doctorArgs(tc.args...)...)
			c, ok := checks[tc.check]
			if !ok {
				t.Fatalf("no %s check:\n%s", tc.check, te.stdout)
			}
			if c.Status != tc.status || c.ErrorsMD != tc.entry || !contains(c.Detail, tc.detail) {
				t.Errorf("%s = %+v; want %s, errors.md %q, detail with %q", tc.check, c, tc.status, tc.entry, tc.detail)
			}
			if tc.entry != "" && c.Advice == "" {
				t.Errorf("%s names %s but gives no advice", tc.check, tc.entry)
			}
			if code != tc.exit {
				t.Errorf("exit %d; want %d\n%s", code, tc.exit, te.stdout)
			}
			wantZeroHarm(t, ts)
		})
	}
}

func TestDoctorAdviceIsErrorsMD(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := doctorConfig()
	cfg.ClientID = "other"
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	_, checks := te.doctor(t, ts.doctorArgs()...)
	a := checks["app"].Advice
	if a == "" || !strings.Contains(string(doc), "Advice: `"+a+"`") {
		t.Errorf("advice %q is not an errors.md advice line", a)
	}
}

func TestDoctorWrongPrefix(t *testing.T) {
	cfg := doctorConfig()
	cfg.PathPrefix = "/shop"
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	code, checks := te.doctor(t, "doctor", "--site", ts.Server.URL, "--client-id", testClient, "-o", "json")
	if code != 5 || checks["echo"].ErrorsMD != "E4" || checks["app"].ErrorsMD != "N2" || checks["tcp"].Status != doctor.Passed {
		t.Errorf("exit %d; echo %+v; app %+v", code, checks["echo"], checks["app"])
	}
	if !contains(checks["echo"].Advice, ts.Server.URL+"/services/oauth2/echo") {
		t.Errorf("E4 advice does not name the URL: %q", checks["echo"].Advice)
	}
}

func TestDoctorUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	te := newTestEnv(t)
	code, checks := te.doctor(t, "doctor", "--site", "http://"+addr, "--client-id", testClient, "-o", "json")
	if code != 6 || checks["tcp"].Status != doctor.Failed || checks["tcp"].ErrorsMD != "N5" || checks["app"].Status != doctor.Unknown {
		t.Errorf("exit %d; tcp %+v; app %+v", code, checks["tcp"], checks["app"])
	}
}

func TestDoctorSiteShape(t *testing.T) {
	tests := []struct {
		site, entry string
		exit        int
	}{
		{"https://login.salesforce.com", "N1", 2},
		{"https://acme.my.salesforce.com", "N1", 5},
		{"https://acme.my.site.com/shop/s/login", "N2", 2},
		{"http://acme.my.site.com", "A15", 2},
	}
	for _, tc := range tests {
		te := newTestEnv(t)
		code, checks := te.doctor(t, "doctor", "--site", tc.site, "-o", "json")
		if c := checks["site"]; code != tc.exit || c.Status != doctor.Failed || c.ErrorsMD != tc.entry || len(checks) != 1 {
			t.Errorf("%s: exit %d, %+v (%d checks); want exit %d, %s", tc.site, code, c, len(checks), tc.exit, tc.entry)
		}
	}
	te := newTestEnv(t)
	if code := te.run(t, "doctor", "--client-id", "x"); code != 2 || !contains(te.stderr.String(), "--site is required") {
		t.Errorf("no --site: exit %d\n%s", code, te.stderr)
	}
}

func TestDoctorTLS(t *testing.T) {
	srv, err := startSim(sim.New(doctorConfig()), "127.0.0.1:0", "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	te := newTestEnv(t)
	code, checks := te.doctor(t, "doctor", "--site", srv.URL, "--client-id", testClient, "-o", "json")
	if code != 6 || checks["tls"].ErrorsMD != "N4" {
		t.Errorf("untrusted certificate: exit %d, tls %+v", code, checks["tls"])
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, srv.CAPEM, 0o600)
	code, checks = te.doctor(t, "doctor", "--site", srv.URL, "--client-id", testClient, "--ca-file", ca, "-o", "json")
	if code != 0 || !contains(checks["tls"].Detail, "TLS 1.3") || !contains(checks["tls"].Detail, "valid until") ||
		!contains(checks["http2"].Detail, "h2") {
		t.Errorf("exit %d; tls %+v; http2 %+v", code, checks["tls"], checks["http2"])
	}
}

func TestDoctorLogin(t *testing.T) {
	const canary = "CANARY-doctor-pw-31"
	cfg := doctorConfig()
	cfg.Users[0].Password = canary
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.vars["SFECHO_PASSWORD"] = canary
	code, checks := te.doctor(t, ts.doctorArgs("--username", testUser, "--scope", "api refresh_token openid")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stdout)
	}
	for _, name := range []string{"login", "scopes", "tokens", "refresh-token", "introspection", "userinfo", "community-url", "cleanup"} {
		if checks[name].Status != doctor.Passed {
			t.Errorf("%s = %+v", name, checks[name])
		}
	}
	if !contains(checks["scopes"].Detail, "api refresh_token openid") || !contains(checks["tokens"].Detail, "opaque") ||
		!contains(checks["userinfo"].Detail, testUser) {
		t.Errorf("scopes %q, tokens %q, userinfo %q", checks["scopes"].Detail, checks["tokens"].Detail, checks["userinfo"].Detail)
	}
	if contains(te.stdout.String()+te.stderr.String(), canary) {
		t.Error("the password reached the output")
	}
	if entries, _ := os.ReadDir(sessionsDir(te.Env)); len(entries) != 0 {
		t.Errorf("doctor saved something: %v", entries)
	}

	// A wrong password: exit 3 with the errors.md A6 advice.
	te.vars["SFECHO_PASSWORD"] = "wrong-" + canary
	code, checks = te.doctor(t, ts.doctorArgs("--username", testUser)...)
	if code != 3 || checks["login"].ErrorsMD != "A6" || checks["app"].Status != doctor.Passed {
		t.Errorf("wrong password: exit %d, login %+v", code, checks["login"])
	}
}

func TestDoctorLoginSettings(t *testing.T) {
	cfg := doctorConfig()
	cfg.Scopes = []string{"api", "openid"} // no refresh_token
	cfg.IntrospectDisabled = true
	cfg.JWTAccessTokens = true
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	code, checks := te.doctor(t, ts.doctorArgs("--username", testUser, "--password-stdin")...)
	if code != 5 || checks["refresh-token"].ErrorsMD != "T8" || checks["introspection"].ErrorsMD != "U5" ||
		checks["introspection"].Status != doctor.Unknown || !contains(checks["tokens"].Detail, "JWT") {
		t.Errorf("exit %d; refresh-token %+v; introspection %+v; tokens %+v", code,
			checks["refresh-token"], checks["introspection"], checks["tokens"])
	}
	if contains(checks["discovery"].Detail, "introspect,") || !contains(checks["discovery"].Detail, "not introspect") {
		t.Errorf("discovery %q", checks["discovery"].Detail)
	}
}

func TestDoctorText(t *testing.T) {
	cfg := doctorConfig()
	cfg.RedirectURIs = []string{"https://app.example/cb"}
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.OutTTY = true
	code := te.run(t, "doctor", "--site", ts.URL, "--client-id", testClient)
	out := te.stdout.String()
	if code != 5 || !contains(out, "FAIL  app ") || !contains(out, "hint: register the exact --redirect-uri") ||
		!contains(out, "(docs/errors.md A2)") || !contains(out, "ok    site ") || !contains(out, "1 failed") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if te.stderr.Len() != 0 {
		t.Errorf("stderr: %s", te.stderr)
	}
	if code := te.run(t, "doctor", "--site", ts.URL, "-o", "token"); code != 2 {
		t.Errorf("-o token: exit %d", code)
	}
	if code := te.run(t, "doctor", "--site", ts.URL, "--probe", "registration"); code != 2 {
		t.Errorf("--probe registration: exit %d", code)
	}
}

// TestDoctorAgainstSfechoSim runs everything doctor has, -v included,
// against the site `sfecho sim` serves: every check passes, and no secret
// reaches the output.
func TestDoctorAgainstSfechoSim(t *testing.T) {
	cfg := sim.Demo()
	cn := &canaries{seen: map[string]string{sim.DemoPassword: "password"}}
	site := sim.New(cfg)
	srv, err := startSim(site, "127.0.0.1:0", "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, srv.CAPEM, 0o600)
	te := newTestEnv(t)
	te.vars["SFECHO_PASSWORD"] = sim.DemoPassword
	code, checks := te.doctor(t, "doctor", "--site", srv.URL, "--ca-file", ca, "--client-id", sim.DemoClientID, "-o", "json", "-v",
		"--origin", "https://app.example", "--probe", "passwordless,forgot-password,guest", "--recaptcha", "any-token",
		"--username", sim.DemoUsername, "--scope", "api refresh_token openid")
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	if len(checks) != 22 {
		t.Errorf("%d checks; want 22", len(checks))
	}
	for name, c := range checks {
		if c.Status != doctor.Passed {
			t.Errorf("%s = %+v", name, c)
		}
	}
	if !contains(te.stderr.String(), "> POST") {
		t.Error("-v printed no trace")
	}
	if l := cn.leaks(te.stderr.String() + te.stdout.String()); len(l) > 0 {
		t.Errorf("output leaks %v", l)
	}
	// Tokens, codes and credentials appear in the trace only masked.
	unmasked := regexp.MustCompile(`(Bearer|Basic) [^*]|"(access_token|refresh_token|code)":"[^*]|[?&]code=[^*]`)
	if m := unmasked.FindString(te.stderr.String()); m != "" {
		t.Errorf("trace holds an unmasked secret at %q", m)
	}
	if site.OTPsSent() != 0 || site.UsersCreated() != 0 || site.FailedLogins() != 0 {
		t.Errorf("harm: %d OTPs, %d users, %d failed logins", site.OTPsSent(), site.UsersCreated(), site.FailedLogins())
	}
}
