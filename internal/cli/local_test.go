package cli

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// The simulated site on 127.0.0.1 registers its own echo URL, and matches a
// loopback callback on any port with the same host name and path, so the
// default local endpoint (http://127.0.0.1:<free port>/services/oauth2/echo)
// is a registered callback.

func TestLoginCaptureLocal(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--capture", "local", "-o", "json", "-v")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	m := decodeJSON(t, te.stdout.String())
	if m["access_token"] == nil || m["sfdc_community_url"] != ts.URL {
		t.Errorf("token = %v", m)
	}
	for _, want := range []string{"local endpoint: listening at http://127.0.0.1:", "redirect_uri=http%3A%2F%2F127.0.0.1%3A", "local endpoint: GET"} {
		if !contains(te.stderr.String(), want) {
			t.Errorf("-v trace lacks %q:\n%s", want, te.stderr)
		}
	}
}

func TestLoginCaptureLocalRegisteredCallback(t *testing.T) {
	cfg := defaultConfig()
	cfg.RedirectURIs = []string{"http://localhost:1717/OauthRedirect"}
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	// Port 0 takes a free port; the simulator, like a site that matches
	// loopback callbacks on any port, accepts it.
	te.stdin.WriteString(testPass + "\n")
	args := ts.loginArgs("--capture", "local", "--redirect-uri", "http://localhost:0/OauthRedirect", "-o", "token", "-v")
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stderr.String(), "listening at http://localhost:") || !contains(te.stderr.String(), "/OauthRedirect") {
		t.Errorf("the local endpoint did not keep the callback's host name and path:\n%s", te.stderr)
	}
	// The same callback on 127.0.0.1 is another host name: the site
	// refuses it (errors.md B4).
	te.stdin.WriteString(testPass + "\n")
	args = ts.loginArgs("--capture", "local", "--redirect-uri", "http://127.0.0.1:0/OauthRedirect")
	if code := te.run(t, args...); code != ExitSetup || !contains(te.stderr.String(), "hint: register the loopback callback exactly as sent, http://127.0.0.1:") {
		t.Errorf("127.0.0.1 for a localhost callback: exit %d; stderr:\n%s", code, te.stderr)
	}
}

func TestLoginCaptureLocalNonLoopbackRedirect(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	args := ts.loginArgs("--capture", "local", "--redirect-uri", "https://app.example.com/cb", "-o", "token")
	if code := te.run(t, args...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stderr.String(), "warning: --redirect-uri https://app.example.com/cb is not a loopback") {
		t.Errorf("no warning:\n%s", te.stderr)
	}
}

func TestLoginCaptureLocalFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	tests := []struct {
		name   string
		cfg    func(*sim.Config)
		edit   func(url.Values)
		args   []string
		want   int
		stderr []string
	}{
		{name: "wrong state", edit: func(q url.Values) { q.Set("state", "forged-state") }, want: ExitSecurity,
			stderr: []string{"state in the redirect did not match", "hint: state did not match"}},
		{name: "state missing", edit: func(q url.Values) { q.Del("state") }, want: ExitSecurity,
			stderr: []string{"no state"}},
		{name: "error redirect", edit: func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") }, want: ExitRejected,
			stderr: []string{"access_denied", "hint: authorization was denied"}},
		{name: "port in use", args: []string{"--redirect-uri", "http://127.0.0.1:" + port + "/services/oauth2/echo"}, want: ExitUsage,
			stderr: []string{"sfecho: local endpoint: listen on 127.0.0.1:" + port + ": port already in use",
				"hint: port " + port + " is in use: stop that process or choose another port in --redirect-uri (register it too)"}},
		{name: "https loopback", args: []string{"--redirect-uri", "https://localhost:1717/cb"}, want: ExitUsage,
			stderr: []string{"plain http:// only"}},
		{name: "callback not registered", cfg: func(c *sim.Config) { c.RedirectURIs = []string{"https://app.example.com/cb"} },
			want: ExitSetup, stderr: []string{"redirect_uri_mismatch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var ts *testSite
			if tc.edit != nil {
				ts = startSite(t, cfg, simtest.RewriteLocation(editQuery(tc.edit)))
			} else {
				ts = startSite(t, cfg, nil)
			}
			te := newTestEnv(t)
			te.stdin.WriteString(testPass + "\n")
			code := te.run(t, append(ts.loginArgs("--capture", "local"), tc.args...)...)
			if code != tc.want {
				t.Fatalf("exit %d; want %d; stderr:\n%s", code, tc.want, te.stderr)
			}
			for _, want := range tc.stderr {
				if !contains(te.stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, te.stderr)
				}
			}
			if lines := strings.Split(strings.TrimSpace(te.stderr.String()), "\n"); len(lines) > 2 || te.stdout.Len() != 0 {
				t.Errorf("want one error line and a hint, nothing on stdout; stdout %q stderr:\n%s", te.stdout, te.stderr)
			}
			if contains(te.stderr.String(), "forged-state") {
				t.Errorf("the error quotes the state:\n%s", te.stderr)
			}
		})
	}
}

func TestCanaryCaptureLocal(t *testing.T) {
	const pw = "CANARY-pw-local-31"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	cn := &canaries{seen: map[string]string{pw: "password"}}
	ts := startSite(t, cfg, cn.record)
	te := newTestEnv(t)
	te.stdin.WriteString(pw + "\n")
	if code := te.run(t, ts.loginArgs("-v", "--capture", "local", "-o", "token")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	if l := cn.leaks(te.stderr.String()); len(l) > 0 {
		t.Errorf("stderr leaks %v:\n%s", l, te.stderr)
	}
	if l := allowedOnStdout("token", cn.leaks(te.stdout.String())); len(l) > 0 {
		t.Errorf("stdout leaks %v", l)
	}
}

func TestLoginCaptureLocalPrefixSite(t *testing.T) {
	cfg := defaultConfig()
	cfg.PathPrefix = "/shop"
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, ts.loginArgs("--capture", "local", "-o", "token")...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
}
