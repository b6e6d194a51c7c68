package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	return m
}

func TestLoginPublicClientLocation(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--scope", "api refresh_token")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	m := decodeJSON(t, te.stdout.String())
	for _, k := range []string{"access_token", "refresh_token", "instance_url", "id", "issued_at", "sfdc_community_url", "sfdc_community_id", "token_type"} {
		if _, ok := m[k]; !ok {
			t.Errorf("token output lacks %q: %v", k, m)
		}
	}
	if _, ok := m["signature"]; !ok {
		t.Error("no signature: the documented response (TV3) carries one")
	}
	// Two requests (authorize, token) on one connection.
	if got := ts.Requests(); got != 2 {
		t.Errorf("requests = %d; want 2", got)
	}
	if got := int64(ts.Conns()); got != 1 {
		t.Errorf("connections = %d; want 1", got)
	}
}

func TestLoginPrivateClientSignature(t *testing.T) {
	cfg := defaultConfig()
	cfg.ClientSecret = "s3cret-value"
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret-value\n"), 0o600)

	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--client-secret-file", secretFile, "-o", "json")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	tok, err := flow.ParseToken(te.stdout.Bytes())
	if err != nil || tok.Signature == "" || !tok.VerifySignature("s3cret-value") {
		t.Fatalf("signature missing or wrong: %v %+v", err, tok)
	}

	// The same secret from the environment.
	te.vars["SFECHO_CLIENT_SECRET"] = "s3cret-value"
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("-o", "token")...); code != 0 {
		t.Fatalf("env secret: exit %d; stderr:\n%s", code, te.stderr)
	}

	// A wrong secret is refused by the site: exit 5.
	te.vars["SFECHO_CLIENT_SECRET"] = "wrong"
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs()...); code != ExitSetup {
		t.Errorf("wrong secret: exit %d; want 5; stderr:\n%s", code, te.stderr)
	}
}

// editJSON rewrites the JSON answers of the endpoint whose path ends in
// suffix, as a site answering differently from ours would.
func editJSON(suffix string, edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, suffix) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var m map[string]any
			json.Unmarshal(rec.Body.Bytes(), &m)
			edit(m)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(m)
		})
	}
}

// tamper rewrites the token response's signature.
var tamper = editJSON("/token", func(m map[string]any) { m["signature"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" })

func TestLoginBadSignature(t *testing.T) {
	cfg := defaultConfig()
	cfg.ClientSecret = "s3cret-value"
	ts := startSite(t, cfg, tamper)
	te := newTestEnv(t)
	te.vars["SFECHO_CLIENT_SECRET"] = "s3cret-value"
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs()...); code != ExitSecurity {
		t.Fatalf("exit %d; want 7; stderr:\n%s", code, te.stderr)
	}
	if te.stdout.Len() != 0 || !contains(te.stderr.String(), "signature") {
		t.Errorf("stdout=%q stderr=%q", te.stdout, te.stderr)
	}
}

func TestLoginCredentialsInBody(t *testing.T) {
	cfg := defaultConfig()
	cfg.CredentialsInBody = true
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--credentials-in-body")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	// Basic credentials while the app wants them in the body: the HTML
	// login page, exit 5 (errors.md A5).
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs()...); code != ExitSetup {
		t.Fatalf("basic with body setting: exit %d; want 5; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stderr.String(), "HTML") || !contains(te.stderr.String(), "hint: not treated as headless") {
		t.Errorf("stderr = %s", te.stderr)
	}
}

func TestLoginCaptureEchoAndPrefix(t *testing.T) {
	cfg := defaultConfig()
	cfg.PathPrefix = "/shop"
	ts := startSite(t, cfg, nil)
	for _, capture := range []string{"location", "echo"} {
		te := newTestEnv(t)
		te.stdin.WriteString(testPass + "\n")
		if code := te.run(t, ts.loginArgs("--capture", capture, "-o", "json")...); code != 0 {
			t.Fatalf("%s: exit %d; stderr:\n%s", capture, code, te.stderr)
		}
		m := decodeJSON(t, te.stdout.String())
		if m["sfdc_community_url"] != ts.URL {
			t.Errorf("%s: sfdc_community_url = %v; want %s", capture, m["sfdc_community_url"], ts.URL)
		}
	}
	// Without the prefix the site answers 404: exit 5 with the prefix advice.
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	args := ts.loginArgs()
	args[2] = ts.Server.URL
	if code := te.run(t, args...); code != ExitSetup || !contains(te.stderr.String(), "prefix") {
		t.Errorf("no prefix: exit %d; stderr:\n%s", code, te.stderr)
	}
}

func TestLoginSecurityChecks(t *testing.T) {
	tests := []struct {
		name string
		f    func(*url.URL)
	}{
		{"state mismatch", func(u *url.URL) { q := u.Query(); q.Set("state", "forged"); u.RawQuery = q.Encode() }},
		{"state missing", func(u *url.URL) { q := u.Query(); q.Del("state"); u.RawQuery = q.Encode() }},
		{"offsite location", func(u *url.URL) { u.Host = "evil.example:443" }},
		{"offsite community url", func(u *url.URL) {
			q := u.Query()
			q.Set("sfdc_community_url", "https://evil.example")
			u.RawQuery = q.Encode()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startSite(t, defaultConfig(), simtest.RewriteLocation(tc.f))
			for _, capture := range []string{"location", "echo"} {
				te := newTestEnv(t)
				te.stdin.WriteString(testPass + "\n")
				if code := te.run(t, ts.loginArgs("--capture", capture)...); code != ExitSecurity {
					t.Errorf("%s: exit %d; want 7; stderr:\n%s", capture, code, te.stderr)
				}
				if strings.Contains(te.stderr.String(), "forged") {
					t.Errorf("the error echoes the state value: %s", te.stderr)
				}
			}
		})
	}
}

func TestLoginErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*sim.Config)
		fail   *sim.Failure
		where  string
		args   []string
		want   int
		stderr string
	}{
		{name: "wrong password", args: []string{"--password-stdin"}, want: ExitRejected, stderr: "authentication failure"},
		{name: "unknown client id", args: []string{"--client-id", "nope"}, want: ExitSetup, stderr: "invalid_client_id"},
		{name: "redirect mismatch", args: []string{"--redirect-uri", "https://elsewhere.example/cb"}, want: ExitSetup, stderr: "Callback URL"},
		{name: "scope not on the app", args: []string{"--scope", "full"}, want: ExitSetup, stderr: "not treated as headless"},
		{name: "flow disabled html", cfg: func(c *sim.Config) { c.FlowDisabled = true; c.FlowDisabledError = sim.FlowDisabledHTML }, want: ExitSetup, stderr: "HTML"},
		// errors.md A4: an invalid_client that is about the flow, not the secret.
		{name: "flow disabled a4", cfg: func(c *sim.Config) { c.FlowDisabled = true }, want: ExitSetup, stderr: "Enable Authorization Code and Credentials Flow"},
		{name: "redirect without code or error", fail: &sim.Failure{Status: 302, Header: map[string]string{"Location": "/services/oauth2/echo?state=whatever"}}, where: sim.EndpointAuthorize, want: ExitSetup, stderr: "neither a code nor an error"},
		{name: "token without access_token", fail: &sim.Failure{Status: 200, Body: `{"token_type":"Bearer","instance_url":"https://x.example"}`}, where: sim.EndpointToken, want: ExitError, stderr: "no access_token"},
		{name: "token field of the wrong type", fail: &sim.Failure{Status: 200, Body: `{"access_token":42,"token_type":"Bearer"}`}, where: sim.EndpointToken, want: ExitError, stderr: "access_token is a number, not a string"},
		{name: "token not an object", fail: &sim.Failure{Status: 200, Body: `["access_token"]`}, where: sim.EndpointToken, want: ExitError, stderr: "not an object"},
		{name: "flow disabled json", cfg: func(c *sim.Config) { c.FlowDisabled = true; c.FlowDisabledError = "unsupported_response_type" },
			want: ExitSetup, stderr: "Allow Authorization Code and Credentials Flows"},
		{name: "inactive user", cfg: func(c *sim.Config) { c.Users[0].Inactive = true }, want: ExitRejected, stderr: "inactive"},
		{name: "authorize 503", fail: &sim.Failure{Status: 503, Body: "<html>maintenance</html>", ContentType: "text/html"}, where: sim.EndpointAuthorize, want: ExitNetwork, stderr: "503"},
		{name: "token 500", fail: &sim.Failure{Status: 500}, where: sim.EndpointToken, want: ExitNetwork, stderr: "500"},
		{name: "authorize dropped", fail: &sim.Failure{Drop: true}, where: sim.EndpointAuthorize, want: ExitNetwork, stderr: "authorize"},
		{name: "token dropped", fail: &sim.Failure{Drop: true}, where: sim.EndpointToken, want: ExitNetwork, stderr: "token exchange"},
		{name: "token truncated", fail: &sim.Failure{Truncate: true}, where: sim.EndpointToken, want: ExitNetwork, stderr: "cut short"},
		{name: "authorize timeout", fail: &sim.Failure{Hang: true}, where: sim.EndpointAuthorize, args: []string{"--timeout", "300ms"}, want: ExitNetwork, stderr: "timed out"},
		{name: "token invalid_grant", fail: &sim.Failure{Status: 400, Body: `{"error":"invalid_grant","error_description":"expired authorization code"}`}, where: sim.EndpointToken, want: ExitRejected, stderr: "expired authorization code"},
		{name: "token invalid_client", fail: &sim.Failure{Status: 400, Body: `{"error":"invalid_client","error_description":"invalid client credentials"}`}, where: sim.EndpointToken, want: ExitSetup, stderr: "Require secret"},
		{name: "echo 404", fail: &sim.Failure{Status: 404, Body: "<html>nope</html>", ContentType: "text/html"}, where: sim.EndpointEcho, args: []string{"--capture", "echo"}, want: ExitSetup, stderr: "no echo endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ts := startSite(t, cfg, nil)
			if tc.fail != nil {
				ts.Fail(tc.where, *tc.fail)
			}
			te := newTestEnv(t)
			pw := testPass
			if tc.name == "wrong password" {
				pw = "wrong-password"
			}
			te.stdin.WriteString(pw + "\n")
			args := append(ts.loginArgs(), tc.args...)
			code := te.run(t, args...)
			if code != tc.want {
				t.Fatalf("exit %d; want %d; stderr:\n%s", code, tc.want, te.stderr)
			}
			lines := strings.Split(strings.TrimSpace(te.stderr.String()), "\n")
			if len(lines) > 2 || !strings.HasPrefix(lines[0], "sfecho: ") {
				t.Errorf("want one error line plus at most one hint; got:\n%s", te.stderr)
			}
			if !contains(te.stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, te.stderr)
			}
			if te.stdout.Len() != 0 {
				t.Errorf("stdout not empty on failure: %q", te.stdout)
			}
		})
	}
}

func TestLoginNetworkAndTLS(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ts := startSite(t, defaultConfig(), nil)
		ts.Server.Close()
		te := newTestEnv(t)
		te.stdin.WriteString(testPass + "\n")
		if code := te.run(t, ts.loginArgs()...); code != ExitNetwork {
			t.Errorf("exit %d; want 6; stderr:\n%s", code, te.stderr)
		}
	})
	t.Run("tls", func(t *testing.T) {
		srv := simtest.Start(t, defaultConfig(), simtest.TLS()).Server
		args := []string{"login", "--site", srv.URL, "--client-id", testClient, "--username", testUser, "--password-stdin", "--no-store"}
		te := newTestEnv(t)
		te.stdin.WriteString(testPass + "\n")
		if code := te.run(t, args...); code != ExitNetwork || !contains(te.stderr.String(), "--ca-file") {
			t.Errorf("unknown CA: exit %d; want 6; stderr:\n%s", code, te.stderr)
		}
		ca := filepath.Join(t.TempDir(), "ca.pem")
		writePEM(t, ca, srv.Certificate().Raw)
		te.stdin.WriteString(testPass + "\n")
		if code := te.run(t, append(args, "--ca-file", ca)...); code != 0 {
			t.Errorf("--ca-file: exit %d; stderr:\n%s", code, te.stderr)
		}
		te.stdin.WriteString(testPass + "\n")
		if code := te.run(t, append(args, "--insecure")...); code != 0 || !contains(te.stderr.String(), "warning: --insecure") {
			t.Errorf("--insecure: exit %d; stderr:\n%s", code, te.stderr)
		}
	})
}

func TestLoginUsageErrors(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"http non-loopback", []string{"login", "--site", "http://acme.my.site.com", "--client-id", "x", "--username", "u", "--password-stdin"}, "https"},
		{"malformed site", []string{"login", "--site", "::nope", "--client-id", "x", "--username", "u", "--password-stdin"}, "--site"},
		{"no site", []string{"login", "--client-id", "x", "--username", "u", "--password-stdin"}, "--site is required"},
		{"no client id", []string{"login", "--site", ts.URL, "--username", "u", "--password-stdin"}, "--client-id"},
		{"bad capture", append(ts.loginArgs(), "--capture", "carrier-pigeon"), "--capture"},
		{"bad output", append(ts.loginArgs(), "-o", "yaml"), "-o"},
		{"unknown flag", []string{"login", "--password", "hunter2"}, "unknown flag"},
		{"login.salesforce.com", []string{"login", "--site", "https://login.salesforce.com", "--client-id", "x", "--username", "u", "--password-stdin"}, "Experience Cloud"},
		{"missing ca file", append(ts.loginArgs(), "--ca-file", "/nonexistent/ca.pem"), "--ca-file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			te := newTestEnv(t)
			te.stdin.WriteString("pw\n")
			if code := te.run(t, tc.args...); code != ExitUsage {
				t.Fatalf("exit %d; want 2; stderr:\n%s", code, te.stderr)
			}
			if !contains(te.stderr.String(), tc.want) || strings.Contains(te.stderr.String(), "hunter2") {
				t.Errorf("stderr = %q; want it to mention %q", te.stderr, tc.want)
			}
		})
	}
	t.Run("no password on a pipe", func(t *testing.T) {
		te := newTestEnv(t)
		args := []string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--no-store"}
		if code := te.run(t, args...); code != ExitUsage || !contains(te.stderr.String(), "SFECHO_PASSWORD") {
			t.Errorf("exit %d; stderr:\n%s", code, te.stderr)
		}
		te.vars["SFECHO_PASSWORD"] = testPass
		if code := te.run(t, args...); code != 0 {
			t.Errorf("SFECHO_PASSWORD: exit %d; stderr:\n%s", code, te.stderr)
		}
	})
}

func TestLoginOutputFormats(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	te.run(t, ts.loginArgs("-o", "json")...)
	tok, _ := flow.ParseToken(te.stdout.Bytes())

	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("-o", "token")...); code != 0 || strings.Count(te.stdout.String(), "\n") != 1 || !strings.HasPrefix(te.stdout.String(), "00D") {
		t.Errorf("-o token: exit %d, stdout %q", code, te.stdout)
	}
	te.stdin.WriteString(testPass + "\n")
	te.run(t, ts.loginArgs("-o", "env")...)
	for _, want := range []string{"export SF_ACCESS_TOKEN='00D", "export SF_INSTANCE_URL='", "export SF_COMMUNITY_URL='" + ts.URL + "'"} {
		if !contains(te.stdout.String(), want) {
			t.Errorf("-o env lacks %q:\n%s", want, te.stdout)
		}
	}
	te.stdin.WriteString(testPass + "\n")
	te.run(t, ts.loginArgs("-o", "text")...)
	if contains(te.stdout.String(), tok.RefreshToken[10:]) || !contains(te.stdout.String(), "Logged in as "+testUser) {
		t.Errorf("-o text leaks or lacks the summary:\n%s", te.stdout)
	}
	te.OutTTY = true
	te.stdin.WriteString(testPass + "\n")
	te.run(t, ts.loginArgs()...)
	if !contains(te.stdout.String(), "Logged in as") || !contains(te.stderr.String(), "masked") {
		t.Errorf("default on a terminal is not text:\n%s", te.stdout)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc": "'abc'", "a'b": `'a'\''b'`, "": "''", "$(x) `y`": "'$(x) `y`'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s; want %s", in, got, want)
		}
	}
}

func TestLoginProfileCaptureAndBody(t *testing.T) {
	cfg := defaultConfig()
	cfg.CredentialsInBody = true
	var echoed bool
	spy := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			echoed = echoed || strings.HasSuffix(r.URL.Path, "/echo")
			next.ServeHTTP(w, r)
		})
	}
	ts := startSite(t, cfg, spy)
	te := newTestEnv(t)
	for _, kv := range [][2]string{{"site", ts.URL}, {"client_id", testClient}, {"username", testUser},
		{"capture", "echo"}, {"credentials_in_body", "true"}} {
		if code := te.run(t, "profile", "set", "shop", kv[0], kv[1]); code != 0 {
			t.Fatalf("profile set %s: exit %d\n%s", kv[0], code, te.stderr)
		}
	}
	te.vars["SFECHO_PASSWORD"] = testPass
	if code := te.run(t, "login", "--profile", "shop", "--no-store", "-o", "token"); code != 0 {
		t.Fatalf("login --profile: exit %d\n%s", code, te.stderr)
	}
	if !echoed {
		t.Error("the profile's capture=echo was not applied")
	}
	// A flag beats the profile.
	if code := te.run(t, "login", "--profile", "shop", "--no-store", "--credentials-in-body=false"); code != ExitSetup {
		t.Errorf("--credentials-in-body=false over the profile: exit %d; want 5\n%s", code, te.stderr)
	}
}

// TestLoginCaptureEchoWithoutState follows the documented echo answer
// (TV2), which carries no state: state is then read from Location.
func TestLoginCaptureEchoWithoutState(t *testing.T) {
	dropState := editJSON("/echo", func(m map[string]any) { delete(m, "state") })
	ts := startSite(t, defaultConfig(), dropState)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--capture", "echo", "-o", "token")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
}
