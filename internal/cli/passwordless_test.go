package cli

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
)

// pwlArgs are the flags of a passwordless login against ts.
func (ts *testSite) pwlArgs(extra ...string) []string {
	return append([]string{"login", "--passwordless", "--site", ts.URL, "--client-id", testClient, "--no-store"}, extra...)
}

// wantTokens checks that stdout is a token response.
func wantTokens(t *testing.T, te *testEnv) map[string]any {
	t.Helper()
	m := decodeJSON(t, te.stdout.String())
	if _, ok := m["access_token"]; !ok {
		t.Fatalf("no access_token in stdout: %v", m)
	}
	return m
}

func TestPasswordlessStdinLine(t *testing.T) {
	for _, method := range []string{"email", "sms"} {
		t.Run(method, func(t *testing.T) {
			ts := startSite(t, flowsConfig(), nil)
			te := newTestEnv(t)
			in := newOTPStdin(ts, testUser, "", "")
			te.In = in
			code := te.run(t, ts.pwlArgs("--username", testUser, "--method", method, "-o", "json")...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
			}
			if in.early {
				t.Fatal("stdin was read before the init step sent the OTP")
			}
			wantTokens(t, te)
			if !contains(te.stderr.String(), "sent by "+method) {
				t.Errorf("stderr does not say where the code went:\n%s", te.stderr)
			}
			// init, authorize, token.
			if got := ts.Requests(); got != 3 {
				t.Errorf("requests = %d; want 3", got)
			}
		})
	}
}

func TestPasswordlessTerminalPrompt(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	var sentBeforePrompt bool
	prompts := te.terminal(func(string) string {
		otp, ok := ts.LastOTP(testUser)
		sentBeforePrompt = ok
		return otp
	})
	te.OutTTY = true
	if code := te.run(t, ts.pwlArgs("--username", testUser)...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if len(*prompts) != 1 || !strings.Contains((*prompts)[0], "sent by email") || !sentBeforePrompt {
		t.Errorf("prompts = %q (OTP sent before the prompt: %v)", *prompts, sentBeforePrompt)
	}
	if !contains(te.stdout.String(), "Logged in as "+testUser) {
		t.Errorf("text output on a terminal:\n%s", te.stdout)
	}
}

func TestPasswordlessEnvOTP(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	te.lazyOTPEnv(ts, testUser)
	if code := te.run(t, ts.pwlArgs("--username", testUser, "-o", "token")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if contains(te.stderr.String(), "next line of stdin") {
		t.Errorf("SFECHO_OTP set, yet stdin was announced:\n%s", te.stderr)
	}
}

func TestPasswordlessTwoStep(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	if code := te.run(t, ts.pwlArgs("--username", testUser, "--method", "sms", "--init-only")...); code != 0 {
		t.Fatalf("--init-only: exit %d; stderr:\n%s", code, te.stderr)
	}
	m := decodeJSON(t, te.stdout.String())
	id, _ := m["identifier"].(string)
	if id == "" || m["method"] != "sms" || len(m) != 2 {
		t.Fatalf("--init-only printed %v", m)
	}
	if got := ts.Requests(); got != 1 {
		t.Errorf("--init-only made %d requests; want 1", got)
	}
	otp := ts.lastOTP(t, id)

	// Second step: the identifier as a flag, the OTP in the environment.
	te.vars["SFECHO_OTP"] = otp
	if code := te.run(t, ts.pwlArgs("--identifier", id, "--method", "sms", "-o", "json")...); code != 0 {
		t.Fatalf("--identifier: exit %d; stderr:\n%s", code, te.stderr)
	}
	wantTokens(t, te)

	// The same through SFECHO_IDENTIFIER and the OTP on stdin.
	te.vars = map[string]string{}
	te.run(t, ts.pwlArgs("--username", testUser, "--init-only")...)
	id = decodeJSON(t, te.stdout.String())["identifier"].(string)
	te.vars["SFECHO_IDENTIFIER"] = id
	te.stdin.WriteString(ts.lastOTP(t, id) + "\n")
	if code := te.run(t, ts.pwlArgs("-o", "json")...); code != 0 {
		t.Fatalf("SFECHO_IDENTIFIER: exit %d; stderr:\n%s", code, te.stderr)
	}
	wantTokens(t, te)
}

func TestPasswordlessLoginHint(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	for _, hint := range []string{testUser, testPhone} {
		te := newTestEnv(t)
		te.In = newOTPStdin(ts, hint, "", "")
		if code := te.run(t, ts.pwlArgs("--login-hint", hint, "--method", "sms")...); code != 0 {
			t.Fatalf("--login-hint %s: exit %d; stderr:\n%s", hint, code, te.stderr)
		}
	}
}

// recordAuthorize notes the request headers and form of every authorize
// and token request.
type recordAuthorize struct {
	mu      sync.Mutex
	headers map[string]http.Header
	forms   map[string]map[string][]string
}

func (rec *recordAuthorize) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, ep := range []string{"authorize", "token"} {
			if strings.HasSuffix(r.URL.Path, "/"+ep) {
				r.ParseForm()
				rec.mu.Lock()
				rec.headers[ep], rec.forms[ep] = r.Header.Clone(), r.PostForm
				rec.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func newRecorder() *recordAuthorize {
	return &recordAuthorize{headers: map[string]http.Header{}, forms: map[string]map[string][]string{}}
}

func TestPasswordlessAuthorizeWire(t *testing.T) {
	rec := newRecorder()
	ts := startSite(t, flowsConfig(), rec.wrap)
	te := newTestEnv(t)
	in := newOTPStdin(ts, testUser, "", "")
	te.In = in
	if code := te.run(t, ts.pwlArgs("--username", testUser, "--method", "sms")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	h := rec.headers["authorize"]
	if h.Get("Auth-Request-Type") != "passwordless-login" || h.Get("Auth-Verification-Type") != "sms" {
		t.Errorf("authorize headers = %v", h)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.Get("Authorization"), "Basic "))
	id, otp, _ := strings.Cut(string(raw), ":")
	if want := ts.lastOTP(t, testUser); otp != want || ts.lastOTP(t, id) != want {
		t.Errorf("Basic credentials are not identifier:otp")
	}
}

func TestPasswordlessErrors(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "init-token")
	os.WriteFile(tokenFile, []byte("integration-token\n"), 0o600)
	tests := []struct {
		name   string
		cfg    func(*sim.Config)
		args   []string
		vars   map[string]string
		wrong  string // OTP sent instead of the real one
		want   int
		stderr []string
	}{
		{name: "wrong otp", wrong: "000000", want: ExitRejected, stderr: []string{"verify OTP", "invalid_grant", "hint: the code was wrong"}},
		{name: "unknown user", args: []string{"--username", "nobody@example.com"}, wrong: "123456", want: ExitRejected, stderr: []string{"verify OTP"}},
		{name: "expired identifier", args: []string{"--identifier", "0PLexpired000000"}, wrong: "123456", want: ExitRejected, stderr: []string{"expired identifier"}},
		{name: "flow disabled", cfg: func(c *sim.Config) { c.Passwordless.Enabled = false }, want: ExitSetup,
			stderr: []string{"passwordless init", "not enabled", "hint: enable the flow"}},
		{name: "recaptcha missing", cfg: func(c *sim.Config) { c.Passwordless.RequireRecaptcha = true }, want: ExitSetup,
			stderr: []string{"recaptcha", "hint: the site requires reCAPTCHA: pass a fresh token with --recaptcha"}},
		{name: "recaptcha refused", cfg: func(c *sim.Config) { c.Passwordless.RequireRecaptcha = true },
			args: []string{"--recaptcha", sim.BadRecaptcha}, want: ExitSetup, stderr: []string{"hint: the site requires reCAPTCHA: send a fresh token"}},
		{name: "recaptcha given", cfg: func(c *sim.Config) { c.Passwordless.RequireRecaptcha = true },
			vars: map[string]string{"SFECHO_RECAPTCHA": testRecaptch}, want: 0},
		{name: "recaptcha enterprise", cfg: func(c *sim.Config) { c.Passwordless.RequireRecaptcha = true },
			args: []string{"--recaptcha", testRecaptch, "--recaptcha-enterprise", "--recaptcha-site-key", "k", "--recaptcha-project", "p"}, want: 0},
		{name: "auth missing", cfg: func(c *sim.Config) { c.Passwordless.RequireAuth, c.Passwordless.AuthToken = true, "integration-token" },
			want: ExitSetup, stderr: []string{"invalid_token", "hint: the site requires an integration-user Bearer token (scope pwdless_login_api): set SFECHO_INIT_TOKEN"}},
		{name: "auth refused", cfg: func(c *sim.Config) { c.Passwordless.RequireAuth, c.Passwordless.AuthToken = true, "integration-token" },
			vars: map[string]string{"SFECHO_INIT_TOKEN": "stale"}, want: ExitSetup, stderr: []string{"hint: the integration-user token was refused"}},
		{name: "auth env", cfg: func(c *sim.Config) { c.Passwordless.RequireAuth, c.Passwordless.AuthToken = true, "integration-token" },
			vars: map[string]string{"SFECHO_INIT_TOKEN": "integration-token"}, want: 0},
		{name: "auth file", cfg: func(c *sim.Config) { c.Passwordless.RequireAuth, c.Passwordless.AuthToken = true, "integration-token" },
			args: []string{"--init-token-file", tokenFile}, want: 0},
		{name: "template not allowlisted", cfg: func(c *sim.Config) { c.EmailTemplates = []string{"OTP_Email"} },
			args: []string{"--email-template", "Other"}, want: ExitSetup, stderr: []string{"hint: the site allowlists email templates"}},
		{name: "template allowlisted", cfg: func(c *sim.Config) { c.EmailTemplates = []string{"OTP_Email"} },
			args: []string{"--email-template", "OTP_Email"}, want: 0},
		{name: "init 503", cfg: func(c *sim.Config) {
			c.Fail = map[string]sim.Failure{sim.EndpointPasswordless: {Status: 503}}
		}, want: ExitNetwork, stderr: []string{"503"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := flowsConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ts := startSite(t, cfg, nil)
			te := newTestEnv(t)
			for k, v := range tc.vars {
				te.vars[k] = v
			}
			in := newOTPStdin(ts, testUser, "", "")
			in.wrong = tc.wrong
			te.In = in
			args := tc.args
			if len(args) == 0 || args[0] != "--username" && args[0] != "--identifier" {
				args = append([]string{"--username", testUser}, args...)
			}
			code := te.run(t, ts.pwlArgs(args...)...)
			if code != tc.want {
				t.Fatalf("exit %d; want %d; stderr:\n%s", code, tc.want, te.stderr)
			}
			for _, s := range tc.stderr {
				if !contains(te.stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, te.stderr)
				}
			}
			if code != 0 && te.stdout.Len() != 0 {
				t.Errorf("stdout not empty on failure: %q", te.stdout)
			}
		})
	}
}

func TestPasswordlessMethodMismatch(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	te.run(t, ts.pwlArgs("--username", testUser, "--method", "email", "--init-only")...)
	id := decodeJSON(t, te.stdout.String())["identifier"].(string)
	te.vars["SFECHO_OTP"] = ts.lastOTP(t, id)
	// Decision (errors.md I7): a method that differs from the init's is a
	// rejected OTP step, exit 3, with advice naming --method.
	if code := te.run(t, ts.pwlArgs("--identifier", id, "--method", "sms")...); code != ExitRejected {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stderr.String(), "hint: the OTP was sent by another method: pass the same --method") {
		t.Errorf("stderr:\n%s", te.stderr)
	}
}

func TestPasswordlessTooManyAttempts(t *testing.T) {
	cfg := flowsConfig()
	cfg.MaxOTPAttempts = 2
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.run(t, ts.pwlArgs("--username", testUser, "--init-only")...)
	id := decodeJSON(t, te.stdout.String())["identifier"].(string)
	for i := 0; i < 2; i++ {
		te.vars["SFECHO_OTP"] = "000000"
		te.run(t, ts.pwlArgs("--identifier", id)...)
	}
	te.vars["SFECHO_OTP"] = ts.lastOTP(t, id)
	if code := te.run(t, ts.pwlArgs("--identifier", id)...); code != ExitRejected {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, te.stderr)
	}
}

func TestPasswordlessUsage(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad method", ts.pwlArgs("--username", testUser, "--method", "fax"), "--method"},
		{"init-only without passwordless", []string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--init-only"}, "--init-only needs --passwordless"},
		{"identifier without passwordless", []string{"login", "--site", ts.URL, "--client-id", testClient, "--identifier", "x"}, "--identifier needs --passwordless"},
		{"init-only and identifier", ts.pwlArgs("--init-only", "--identifier", "x"), "exclude"},
		{"username and login hint", ts.pwlArgs("--username", testUser, "--login-hint", testPhone), "not both"},
		{"password-stdin", ts.pwlArgs("--username", testUser, "--password-stdin"), "takes no password"},
		{"bad uvid", ts.pwlArgs("--username", testUser, "--uvid", "not-a-uuid"), "--uvid"},
		{"enterprise without key", ts.pwlArgs("--username", testUser, "--recaptcha", "x", "--recaptcha-enterprise"), "--recaptcha-site-key"},
		{"missing token file", ts.pwlArgs("--username", testUser, "--init-token-file", "/nonexistent/tok"), "--init-token-file"},
		{"no username on a pipe", ts.pwlArgs(), "--username"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t)
			if code := te.run(t, tc.args...); code != ExitUsage {
				t.Fatalf("exit %d; want 2; stderr:\n%s", code, te.stderr)
			}
			if !contains(te.stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, te.stderr)
			}
			if ts.Requests() != 0 {
				t.Errorf("a usage error reached the site (%d requests)", ts.Requests())
			}
		})
	}
	t.Run("stdin ends before the code", func(t *testing.T) {
		te := newTestEnv(t)
		if code := te.run(t, ts.pwlArgs("--username", testUser)...); code != ExitUsage {
			t.Fatalf("exit %d; want 2; stderr:\n%s", code, te.stderr)
		}
		if !contains(te.stderr.String(), "SFECHO_OTP") || !contains(te.stderr.String(), "--init-only") {
			t.Errorf("stderr:\n%s", te.stderr)
		}
	})
}

func TestLoginWithLoginHint(t *testing.T) {
	rec := newRecorder()
	ts := startSite(t, flowsConfig(), rec.wrap)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	args := []string{"login", "--site", ts.URL, "--client-id", testClient, "--login-hint", testPhone, "--password-stdin", "--no-store"}
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	f := rec.forms["authorize"]
	if f["login_hint"][0] != testPhone || rec.headers["authorize"].Get("Authorization") != "" {
		t.Errorf("authorize form %v, Authorization %q", f, rec.headers["authorize"].Get("Authorization"))
	}
}

func TestDemoShowsPasswordless(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run(t, "demo", "-v"); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, te.stderr)
	}
	wantTokens(t, te) // stdout stays one token response: the password login's
	for _, step := range []string{"passwordless init: POST", "an OTP was sent by email", "Auth-Request-Type: passwordless-login", "passwordless login done"} {
		if !contains(te.stderr.String(), step) {
			t.Errorf("demo narration lacks %q:\n%s", step, te.stderr)
		}
	}
	if contains(te.stderr.String(), `"identifier":"`) && !contains(te.stderr.String(), `"identifier":"****"`) {
		t.Errorf("the trace shows the identifier:\n%s", te.stderr)
	}
}

// TestPasswordlessSavesSession: a passwordless login saves its session
// like a password login, so `sfecho token` serves it.
func TestPasswordlessSavesSession(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	te.In = newOTPStdin(ts, testUser, "", "")
	args := []string{"login", "--passwordless", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--capture", "echo", "-o", "token"}
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	access := te.stdout.String()
	if code := te.run(t, "token"); code != 0 || te.stdout.String() != access {
		t.Errorf("token: exit %d, %q; want the login's token\n%s", code, te.stdout, te.stderr)
	}
}

func TestPasswordlessExpiredIdentifier(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	cfg := flowsConfig()
	cfg.OTPTTL = time.Minute
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.run(t, ts.pwlArgs("--username", testUser, "--init-only")...)
	id := decodeJSON(t, te.stdout.String())["identifier"].(string)
	te.vars["SFECHO_OTP"] = ts.lastOTP(t, id)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if code := te.run(t, ts.pwlArgs("--identifier", id)...); code != ExitRejected || !contains(te.stderr.String(), "hint: the code was wrong or has expired") {
		t.Errorf("exit %d; want 3; stderr:\n%s", code, te.stderr)
	}
}

// TestPasswordlessInterruptedWhileWaiting: Ctrl-C while sfecho waits for
// the code on a pipe that never delivers ends it with 130.
func TestPasswordlessInterruptedWhileWaiting(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	te.In = pr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Run(ctx, ts.pwlArgs("--username", testUser), te.Env) }()
	for i := 0; i < 500; i++ {
		if _, ok := ts.LastOTP(testUser); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("exit %d; want 130", code)
	}
}
