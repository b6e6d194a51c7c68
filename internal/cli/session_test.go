package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
	"github.com/sfecho/sfecho/internal/store"
)

// sessionSite starts a site with refresh token rotation (unless mod turns
// it off); ts.Grants("refresh_token") counts refreshes.
func sessionSite(t *testing.T, mod func(*sim.Config)) *testSite {
	t.Helper()
	cfg := defaultConfig()
	cfg.RotateRefreshTokens = true
	if mod != nil {
		mod(&cfg)
	}
	return startSite(t, cfg, nil)
}

// login logs the test user in, saving the session, and returns the
// access token it printed.
func (ts *testSite) login(t *testing.T, te *testEnv, extra ...string) string {
	t.Helper()
	te.stdin.Reset()
	te.stdin.WriteString(testPass + "\n")
	args := append([]string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser,
		"--password-stdin", "--scope", "api refresh_token", "-o", "token"}, extra...)
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, te.stderr)
	}
	return strings.TrimSpace(te.stdout.String())
}

// later moves te's clock forward, so that saved tokens look expired.
func (te *testEnv) later(d time.Duration) { te.Env.Now = func() time.Time { return time.Now().Add(d) } }

func (te *testEnv) session(t *testing.T, profile string) *store.Session {
	t.Helper()
	s, err := store.NewFile(sessionsDir(te.Env)).Load(profile)
	if err != nil {
		t.Fatalf("load session: %v", err)
	}
	return s
}

func TestTokenFromValidSessionMakesNoRequest(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	before := ts.Requests()
	at := ts.login(t, te)
	if n := ts.Requests() - before; n != 2 {
		t.Errorf("login with a saved session made %d requests; want 2 (authorize, token)", n)
	}
	if s := te.session(t, "default"); s.ExpirySource != "" {
		t.Errorf("login saved expiry %v from %q; want it unknown until the first token", s.Expiry, s.ExpirySource)
	}
	// The first token learns the opaque token's expiry with one
	// introspection (Salesforce sends no expires_in) and saves it.
	before = ts.Requests()
	if code := te.run(t, "token"); code != 0 || te.stdout.String() != at+"\n" {
		t.Fatalf("first token: exit %d %q\n%s", code, te.stdout, te.stderr)
	}
	if n := ts.Requests() - before; n != 1 {
		t.Errorf("first token made %d requests; want 1 (introspect)", n)
	}
	if s := te.session(t, "default"); s.ExpirySource != "introspect" || s.Expiry.IsZero() {
		t.Errorf("token saved expiry %v from %q; want it from introspection", s.Expiry, s.ExpirySource)
	}
	before = ts.Requests()
	if code := te.run(t, "token"); code != 0 {
		t.Fatalf("token: exit %d\n%s", code, te.stderr)
	}
	if got := te.stdout.String(); got != at+"\n" {
		t.Errorf("token printed %q; want the login's access token and a newline", got)
	}
	if te.stderr.Len() != 0 {
		t.Errorf("token wrote to stderr: %s", te.stderr)
	}
	if n := ts.Requests() - before; n != 0 || ts.Grants("refresh_token") != 0 {
		t.Errorf("token on a valid session made %d requests (%d refreshes); want 0", n, ts.Grants("refresh_token"))
	}
}

func TestTokenFormats(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	tests := []struct {
		format string
		want   []string
	}{
		{"token", []string{at + "\n"}},
		{"header", []string{"Authorization: Bearer " + at + "\n"}},
		{"env", []string{"export SF_ACCESS_TOKEN='" + at + "'\n", "export SF_INSTANCE_URL='http", "export SF_COMMUNITY_URL='" + ts.URL + "'"}},
		{"json", []string{`"access_token": "` + at + `"`, `"refresh_token"`, `"instance_url"`, `"issued_at"`, `"sfdc_community_url"`}},
	}
	for _, tt := range tests {
		if code := te.run(t, "token", "-o", tt.format); code != 0 {
			t.Fatalf("-o %s: exit %d\n%s", tt.format, code, te.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(te.stdout.String(), w) {
				t.Errorf("-o %s printed %q; want it to contain %q", tt.format, te.stdout, w)
			}
		}
	}
	if code := te.run(t, "token", "-o", "yaml"); code != ExitUsage {
		t.Errorf("-o yaml: exit %d; want %d", code, ExitUsage)
	}
}

func TestTokenWithoutSession(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	for _, args := range [][]string{{"token"}, {"token", "--profile", "ci"}, {"status"}, {"refresh"}, {"userinfo"}, {"revoke"}} {
		if code := te.run(t, args...); code != ExitNoSession {
			t.Errorf("%v: exit %d; want %d\n%s", args, code, ExitNoSession, te.stderr)
		}
		if !strings.Contains(te.stderr.String(), "run sfecho login") || te.stdout.Len() != 0 {
			t.Errorf("%v: stderr %q, stdout %q; want advice to run sfecho login and no output", args, te.stderr, te.stdout)
		}
		if len(args) > 1 && !strings.Contains(te.stderr.String(), "sfecho login --profile ci") {
			t.Errorf("advice for another profile does not name it: %s", te.stderr)
		}
	}
}

// TestLogoutWithoutSession: teardown is idempotent, so logout of nothing
// exits 0 with a note.
func TestLogoutWithoutSession(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	for range 2 {
		if code := te.run(t, "logout"); code != 0 || !strings.Contains(te.stderr.String(), "nothing to log out") || te.stdout.Len() != 0 {
			t.Errorf("logout without a session: exit %d, stderr %q, stdout %q", code, te.stderr, te.stdout)
		}
	}
}

func TestTokenRefreshesExpiringSession(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	old := te.session(t, "default")
	te.later(2*time.Hour - time.Minute) // less than --min-valid (5m) left
	if code := te.run(t, "token"); code != 0 {
		t.Fatalf("token: exit %d\n%s", code, te.stderr)
	}
	got := strings.TrimSpace(te.stdout.String())
	if got == at || got == "" {
		t.Fatalf("token printed the old token %q; want a refreshed one", got)
	}
	s := te.session(t, "default")
	if ts.Grants("refresh_token") != 1 || s.AccessToken != got || s.RefreshToken == old.RefreshToken || s.RefreshToken == "" {
		t.Errorf("after refresh: %d refreshes, saved AT matches=%v, RT rotated=%v; want 1, true, true",
			ts.Grants("refresh_token"), s.AccessToken == got, s.RefreshToken != old.RefreshToken)
	}
	if s.ExpirySource != "" {
		t.Errorf("refreshed session: expiry from %q; want it unknown until the next sfecho token introspects", s.ExpirySource)
	}
	var before, after map[string]any
	_ = json.Unmarshal(old.Token, &before)
	_ = json.Unmarshal(s.Token, &after)
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("the refreshed session lost the token field %q", k)
		}
	}
	if after["access_token"] != got {
		t.Errorf("saved token response holds access_token %v; want the new one", after["access_token"])
	}
	// --min-valid decides: with less asked for, no refresh.
	te.later(2*time.Hour - 10*time.Minute)
	if code := te.run(t, "token", "--min-valid", "1m"); code != 0 || ts.Grants("refresh_token") != 1 {
		t.Errorf("token --min-valid 1m: exit %d, %d refreshes; want 0, 1", code, ts.Grants("refresh_token"))
	}
}

func TestTokenLifetimeWithoutIntrospection(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, func(c *sim.Config) { c.IntrospectDisabled = true })
	te := newTestEnv(t)
	ts.login(t, te)
	if s := te.session(t, "default"); !s.Expiry.IsZero() {
		t.Fatalf("expiry %v saved without introspection; want unknown", s.Expiry)
	}
	te.later(30 * time.Minute)
	steps := []struct {
		args      []string
		env       map[string]string
		refreshes int
	}{
		{[]string{"token"}, nil, 0}, // default lifetime 2h
		{[]string{"token", "--session-lifetime", "20m"}, nil, 1},
		{[]string{"token"}, map[string]string{"SFECHO_SESSION_LIFETIME": "90m"}, 1},
	}
	for _, st := range steps {
		for k, v := range st.env {
			te.vars[k] = v
		}
		if code := te.run(t, st.args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", st.args, code, te.stderr)
		}
		if got := ts.Grants("refresh_token"); got != st.refreshes {
			t.Errorf("%v %v: %d refreshes so far; want %d", st.args, st.env, got, st.refreshes)
		}
	}
	te.vars["SFECHO_SESSION_LIFETIME"] = "soon"
	if code := te.run(t, "token"); code != ExitUsage {
		t.Errorf("SFECHO_SESSION_LIFETIME=soon: exit %d; want %d", code, ExitUsage)
	}
}

func TestTokenRefreshRejected(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	s := te.session(t, "default")
	// The refresh token dies at the site (revoked by an admin, a policy, ...).
	if code := te.run(t, "revoke"); code != 0 {
		t.Fatalf("revoke: exit %d\n%s", code, te.stderr)
	}
	te.later(3 * time.Hour)
	if code := te.run(t, "token"); code != ExitNoSession {
		t.Fatalf("token with a revoked refresh token: exit %d; want %d\n%s", code, ExitNoSession, te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "sfecho login") || te.stdout.Len() != 0 {
		t.Errorf("stderr %q stdout %q; want advice to log in and no token", te.stderr, te.stdout)
	}
	if strings.Contains(te.stderr.String(), s.RefreshToken) {
		t.Error("the error shows the refresh token")
	}
}

func TestTokenNoRefreshToken(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, "login", "--site", ts.URL, "--client-id", testClient, "--username", testUser,
		"--password-stdin", "--scope", "api", "-o", "token"); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, te.stderr)
	}
	te.later(3 * time.Hour)
	if code := te.run(t, "token"); code != ExitNoSession || !strings.Contains(te.stderr.String(), "refresh_token") {
		t.Errorf("token without a refresh token: exit %d, %s; want 4 and the scope advice", code, te.stderr)
	}
}

func TestRefreshCommand(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	if code := te.run(t, "refresh"); code != 0 {
		t.Fatalf("refresh: exit %d\n%s", code, te.stderr)
	}
	if te.stdout.Len() != 0 || !strings.Contains(te.stderr.String(), "refreshed profile default") {
		t.Errorf("refresh printed stdout %q stderr %q", te.stdout, te.stderr)
	}
	if code := te.run(t, "refresh", "-o", "json"); code != 0 {
		t.Fatalf("refresh -o json: exit %d\n%s", code, te.stderr)
	}
	var m map[string]any
	if err := json.Unmarshal(te.stdout.Bytes(), &m); err != nil || m["access_token"] == at {
		t.Errorf("refresh -o json = %s (%v); want a new token response", te.stdout, err)
	}
	if ts.Grants("refresh_token") != 2 {
		t.Errorf("%d refreshes; want 2 (refresh always refreshes)", ts.Grants("refresh_token"))
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	s := te.session(t, "default")
	if code := te.run(t, "logout"); code != 0 {
		t.Fatalf("logout: exit %d\n%s", code, te.stderr)
	}
	if _, err := store.NewFile(sessionsDir(te.Env)).Load("default"); err == nil {
		t.Error("the session is still saved after logout")
	}
	c := &flow.Client{HTTP: http.DefaultClient, ClientID: testClient}
	c.Site, _ = flow.ParseSite(ts.URL)
	if _, err := c.Refresh(t.Context(), "", s.RefreshToken); flow.KindOf(err) != flow.KindNoSession {
		t.Errorf("the refresh token still works after logout: %v", err)
	}
	if _, err := c.Userinfo(t.Context(), "", at); err == nil {
		t.Error("the access token still works after logout")
	}
	if code := te.run(t, "logout"); code != 0 { // idempotent teardown
		t.Errorf("second logout: exit %d; want 0", code)
	}
}

func TestLogoutAlreadyRevokedAndUnreachable(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	if code := te.run(t, "revoke"); code != 0 {
		t.Fatalf("revoke: exit %d\n%s", code, te.stderr)
	}
	// Nothing is left to revoke: the session is known to be dead (exit 4,
	// like sfecho token), and the site is not asked.
	if code := te.run(t, "revoke"); code != ExitNoSession {
		t.Errorf("second revoke: exit %d; want %d\n%s", code, ExitNoSession, te.stderr)
	}
	if code := te.run(t, "logout"); code != 0 || !strings.Contains(te.stderr.String(), "warning") {
		t.Errorf("logout of a revoked session: exit %d, %s; want 0 with a warning", code, te.stderr)
	}

	ts.login(t, te)
	ts.Fail(sim.EndpointRevoke, sim.Failure{Status: http.StatusServiceUnavailable})
	if code := te.run(t, "logout"); code != ExitNetwork || !strings.Contains(te.stderr.String(), "--force") {
		t.Errorf("logout with the site down: exit %d, %s; want %d and a --force hint", code, te.stderr, ExitNetwork)
	}
	te.session(t, "default") // still saved
	if code := te.run(t, "logout", "--force"); code != 0 {
		t.Errorf("logout --force: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "status"); code != ExitNoSession {
		t.Errorf("status after logout --force: exit %d; want %d", code, ExitNoSession)
	}
}

func TestUserinfoRefreshesARefusedToken(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	if code := te.run(t, "userinfo"); code != 0 || !strings.Contains(te.stdout.String(), testUser) {
		t.Fatalf("userinfo: exit %d, %s\n%s", code, te.stdout, te.stderr)
	}
	if code := te.run(t, "revoke", "--access-token"); code != 0 {
		t.Fatalf("revoke --access-token: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "userinfo"); code != 0 || !strings.Contains(te.stdout.String(), testUser) {
		t.Fatalf("userinfo after the access token was revoked: exit %d\n%s", code, te.stderr)
	}
	if ts.Grants("refresh_token") != 1 {
		t.Errorf("%d refreshes; want 1", ts.Grants("refresh_token"))
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	if code := te.run(t, "status", "--json"); code != 0 || !strings.Contains(te.stdout.String(), `"expiry_source": "lifetime"`) {
		t.Errorf("status before any token call: exit %d\n%s", code, te.stdout)
	}
	te.later(20 * time.Minute)
	te.run(t, "token") // learns the expiry by introspection
	if code := te.run(t, "status", "-o", "text"); code != 0 {
		t.Fatalf("status: exit %d\n%s", code, te.stderr)
	}
	out := te.stdout.String()
	for _, w := range []string{"Profile default (file store): logged in", testUser, ts.URL, testClient, "from introspection", "refresh token  saved"} {
		if !strings.Contains(out, w) {
			t.Errorf("status lacks %q:\n%s", w, out)
		}
	}
	s := te.session(t, "default")
	if strings.Contains(out, at) || strings.Contains(out, s.RefreshToken) {
		t.Errorf("status shows a token:\n%s", out)
	}
	te.later(3 * time.Hour)
	if code := te.run(t, "status", "--json"); code != 0 {
		t.Fatalf("status --json: exit %d\n%s", code, te.stderr)
	}
	var m map[string]any
	if err := json.Unmarshal(te.stdout.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["state"] != "expired" || m["refreshable"] != true || m["expires_in"].(float64) > 0 || m["expiry_source"] != "introspect" {
		t.Errorf("status --json = %v", m)
	}
}

func TestSessionFilePermissionsRefused(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	path := filepath.Join(sessionsDir(te.Env), "default.json")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := te.run(t, "token"); code != ExitUsage || !strings.Contains(te.stderr.String(), "chmod 600 "+path) {
		t.Errorf("token with a 0644 session: exit %d, %s; want %d and the chmod fix", code, te.stderr, ExitUsage)
	}
}

func TestLoginNoStoreAndProfiles(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te, "--no-store")
	if code := te.run(t, "token"); code != ExitNoSession {
		t.Errorf("token after login --no-store: exit %d; want %d", code, ExitNoSession)
	}
	ci := ts.login(t, te, "--profile", "ci")
	te.vars["SFECHO_PROFILE"] = "ci"
	if code := te.run(t, "token"); code != 0 || strings.TrimSpace(te.stdout.String()) != ci {
		t.Errorf("SFECHO_PROFILE=ci token: exit %d, %q; want the ci token\n%s", code, te.stdout, te.stderr)
	}
	if code := te.run(t, "token", "--profile", "../etc"); code != ExitUsage {
		t.Errorf("--profile ../etc: exit %d; want %d", code, ExitUsage)
	}
}

// TestCanarySessionCommands runs the session commands with -v against a
// private client and checks that no token or secret reaches stderr.
func TestCanarySessionCommands(t *testing.T) {
	t.Parallel()
	const secret = "CANARY-clientsecret-5e1"
	cfg := defaultConfig()
	cfg.RotateRefreshTokens, cfg.ClientSecret = true, secret
	cn := &canaries{seen: map[string]string{secret: "client secret", testPass: "password"}}
	ts := startSite(t, cfg, cn.record)
	te := newTestEnv(t)
	te.vars["SFECHO_CLIENT_SECRET"] = secret
	ts.login(t, te)
	te.later(3 * time.Hour)
	for _, args := range [][]string{{"token", "-v"}, {"refresh", "-v"}, {"userinfo", "-v"}, {"status", "-v"}, {"revoke", "-v", "--access-token"}, {"logout", "-v"}} {
		if code := te.run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, te.stderr)
		}
		if l := cn.leaks(te.stderr.String()); len(l) > 0 {
			t.Errorf("%v: stderr leaks %v:\n%s", args, l, te.stderr)
		}
	}
}

// TestKeyringStore runs the session commands with --store keyring against
// go-keyring's in-memory mock (it replaces a go-keyring global; no other
// test in this package uses the keyring).
func TestKeyringStore(t *testing.T) {
	keyring.MockInit()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te, "--store", "keyring")
	meta, err := os.ReadFile(filepath.Join(sessionsDir(te.Env), "default.keyring.json"))
	if err != nil || strings.Contains(string(meta), at) {
		t.Fatalf("keyring metadata file: %v; holds the access token: %v", err, strings.Contains(string(meta), at))
	}
	if code := te.run(t, "token"); code != ExitNoSession || !strings.Contains(te.stderr.String(), "--store keyring") {
		t.Errorf("token from the file store: exit %d, %s; want 4 and a --store keyring hint", code, te.stderr)
	}
	te.vars["SFECHO_STORE"] = "keyring"
	if code := te.run(t, "token"); code != 0 || strings.TrimSpace(te.stdout.String()) != at {
		t.Errorf("SFECHO_STORE=keyring token: exit %d, %q\n%s", code, te.stdout, te.stderr)
	}
	te.later(3 * time.Hour)
	if code := te.run(t, "token"); code != 0 || ts.Grants("refresh_token") != 1 {
		t.Errorf("refresh through the keyring: exit %d, %d refreshes\n%s", code, ts.Grants("refresh_token"), te.stderr)
	}
	if code := te.run(t, "logout"); code != 0 {
		t.Errorf("logout: exit %d\n%s", code, te.stderr)
	}
	keyring.MockInitWithError(errors.New("dbus: no secret service"))
	te.stdin.Reset()
	te.stdin.WriteString(testPass + "\n")
	before := ts.Requests()
	code := te.run(t, "login", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--password-stdin", "-o", "token")
	if code != ExitUsage || !strings.Contains(te.stderr.String(), "OS keyring unavailable") || te.stdout.Len() != 0 {
		t.Errorf("login with a dead keyring: exit %d, stdout %q, stderr %s; want 2 and no silent fallback", code, te.stdout, te.stderr)
	}
	if n := ts.Requests() - before; n != 0 {
		t.Errorf("login with a dead keyring made %d requests; want 0 (no grant left behind at the site)", n)
	}
	if _, err := os.Stat(filepath.Join(sessionsDir(te.Env), "default.json")); err == nil {
		t.Error("the session fell back to a file")
	}
}

// TestRefreshSurvivesCancellation cancels the command (as SIGINT or a CI
// job cancel would) at the moment its refresh reaches the site: the
// rotated tokens must still be saved, so the session is not lost.
func TestRefreshSurvivesCancellation(t *testing.T) {
	t.Parallel()
	var cancel atomic.Pointer[context.CancelFunc]
	cfg := defaultConfig()
	cfg.RotateRefreshTokens = true
	ts := startSite(t, cfg, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ParseForm() == nil && r.PostForm.Get("grant_type") == "refresh_token" {
				if c := cancel.Load(); c != nil {
					(*c)()
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	te := newTestEnv(t)
	ts.login(t, te)
	old := te.session(t, "default")
	te.later(3 * time.Hour)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	cancel.Store(&stop)
	Run(ctx, []string{"token"}, te.Env)
	cancel.Store(nil)
	s := te.session(t, "default")
	if s.RefreshToken == old.RefreshToken {
		t.Fatalf("the rotated refresh token was not saved (stderr: %s)", te.stderr)
	}
	c := &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, ClientID: testClient}
	c.Site, _ = flow.ParseSite(ts.URL)
	if _, err := c.Refresh(t.Context(), "", s.RefreshToken); err != nil {
		t.Errorf("the saved refresh token is dead: %v", err)
	}
}

func TestLoginSaveFailureIsAWarning(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	os.WriteFile(filepath.Join(te.ConfigDir, "sessions"), []byte("not a directory"), 0o600)
	at := ts.login(t, te)
	if at == "" || !strings.Contains(te.stderr.String(), "warning: the session was not saved") {
		t.Errorf("login with an unwritable store: token %q, stderr:\n%s", at, te.stderr)
	}
	// A store asked for by name fails the command.
	te.stdin.WriteString(testPass + "\n")
	args := []string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--password-stdin", "--store", "file", "-o", "token"}
	if code := te.run(t, args...); code == 0 || te.stdout.Len() != 0 {
		t.Errorf("--store file with an unwritable store: exit %d, stdout %q", code, te.stdout)
	}
}

// TestRevokedSessionIsNotHandedOut: after a revoke, or a refresh the site
// rejects, sfecho token must not print the dead token.
func TestRevokedSessionIsNotHandedOut(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	old := ts.login(t, te)

	// Revoking the access token only: the next token refreshes.
	if code := te.run(t, "revoke", "--access-token"); code != 0 {
		t.Fatalf("revoke --access-token: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "token"); code != 0 || strings.TrimSpace(te.stdout.String()) == old || ts.Grants("refresh_token") != 1 {
		t.Fatalf("token after revoke --access-token: exit %d %q, %d refreshes\n%s", code, te.stdout, ts.Grants("refresh_token"), te.stderr)
	}

	// Revoking the refresh token: token and status exit 4.
	if code := te.run(t, "revoke"); code != 0 {
		t.Fatalf("revoke: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "token"); code != ExitNoSession || te.stdout.Len() != 0 || !strings.Contains(te.stderr.String(), "sfecho login") {
		t.Errorf("token after revoke: exit %d %q\n%s", code, te.stdout, te.stderr)
	}
	if code := te.run(t, "status", "--json"); code != ExitNoSession || !strings.Contains(te.stdout.String(), `"state": "revoked"`) {
		t.Errorf("status after revoke: exit %d\n%s", code, te.stdout)
	}

	// A refresh the site rejects (reuse of a rotated token): the session
	// is marked dead, and the next token exits 4 without a request.
	te2 := newTestEnv(t)
	ts.login(t, te2)
	s := te2.session(t, "default")
	if code := te2.run(t, "refresh"); code != 0 {
		t.Fatalf("refresh: exit %d\n%s", code, te2.stderr)
	}
	store.NewFile(sessionsDir(te2.Env)).Save(s) // put the rotated (dead) refresh token back
	if code := te2.run(t, "refresh"); code != ExitNoSession {
		t.Fatalf("refresh with a reused token: exit %d; want 4\n%s", code, te2.stderr)
	}
	before := ts.Requests()
	if code := te2.run(t, "token"); code != ExitNoSession || ts.Requests() != before {
		t.Errorf("token after a rejected refresh: exit %d, %d requests", code, ts.Requests()-before)
	}
}

func TestLogoutDamagedSession(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	dir := sessionsDir(te.Env)
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "default.json"), []byte("{x"), 0o600)
	if code := te.run(t, "token"); code != ExitUsage || !strings.Contains(te.stderr.String(), "sfecho logout") {
		t.Errorf("token on a damaged session: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "logout"); code != 0 {
		t.Errorf("logout of a damaged session: exit %d\n%s", code, te.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "default.json")); !os.IsNotExist(err) {
		t.Errorf("the damaged session is still there: %v", err)
	}
}

// TestRefreshRemembersSecretFileAndCA: a refresh hours after the login uses
// the login's --client-secret-file and --ca-file without being told again.
func TestRefreshRemembersSecretFileAndCA(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	cfg.ClientSecret = "s3cret-value"
	srv := simtest.Start(t, cfg, simtest.TLS()).Server
	dir := t.TempDir()
	ca, secret := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "secret")
	writePEM(t, ca, srv.Certificate().Raw)
	os.WriteFile(secret, []byte("s3cret-value"), 0o600)

	te := newTestEnv(t)
	te.vars["SFECHO_PASSWORD"] = testPass
	login := []string{"login", "--site", srv.URL, "--client-id", testClient, "--username", testUser, "-o", "token"}
	if code := te.run(t, append(login, "--ca-file", ca, "--client-secret-file", secret)...); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "refresh", "-o", "token"); code != 0 {
		t.Errorf("refresh without --ca-file and --client-secret-file: exit %d\n%s", code, te.stderr)
	}

	// A secret from the environment is not saved: the refresh says what it needs.
	te2 := newTestEnv(t)
	te2.vars["SFECHO_PASSWORD"] = testPass
	te2.vars["SFECHO_CLIENT_SECRET"] = "s3cret-value"
	if code := te2.run(t, append(login, "--ca-file", ca)...); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, te2.stderr)
	}
	delete(te2.vars, "SFECHO_CLIENT_SECRET")
	if code := te2.run(t, "refresh"); code != ExitUsage || !strings.Contains(te2.stderr.String(), "private app") {
		t.Errorf("refresh of a private app without its secret: exit %d\n%s", code, te2.stderr)
	}
}

// TestTokenShortLivedSessionRefreshes: a site whose sessions last minutes,
// not hours. The first token learns that by introspection and refreshes a
// token the site no longer honours instead of printing it.
func TestTokenShortLivedSessionRefreshes(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	ts := sessionSite(t, func(c *sim.Config) {
		c.AccessTokenTTL = time.Minute
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	te := newTestEnv(t)
	at := ts.login(t, te)
	skew.Store(int64(2 * time.Minute)) // the site's clock: the token has expired
	te.later(2 * time.Minute)
	if code := te.run(t, "token"); code != 0 || strings.TrimSpace(te.stdout.String()) == at || ts.Grants("refresh_token") != 1 {
		t.Errorf("token on a session the site expired: exit %d, printed the old token: %v, %d refreshes\n%s",
			code, strings.TrimSpace(te.stdout.String()) == at, ts.Grants("refresh_token"), te.stderr)
	}
}
