package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// Planted secrets of the headless flows.
const (
	canaryPW        = "CANARY-pw-31f7a"
	canaryNewPW     = "CANARY-newpw-9a1c"
	canaryRegPW     = "CANARY-regpw-5b2e"
	canaryInitToken = "CANARY-inittok-5e1d"
	canaryRecaptcha = "CANARY-recaptcha-77c"
)

// otpCanaries are the six-digit OTPs seen; they are matched as whole
// numbers, since six digits can occur inside timestamps or lengths.
type otpCanaries struct {
	canaries
	otps map[string]bool
}

// recordHeadless notes what the headless flows send: both halves of a
// Basic header (identifier:otp), a Bearer token, and the secret keys of
// JSON bodies.
func (c *otpCanaries) recordHeadless(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); ok {
			c.add("basic user", id)
			c.addOTP(secret)
		}
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			c.add("bearer token", tok)
		}
		if strings.Contains(r.Header.Get("Content-Type"), "json") {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var m map[string]any
			json.Unmarshal(b, &m)
			for _, k := range []string{"password", "newpassword", "recaptcha"} {
				if s, ok := m[k].(string); ok {
					c.add(k, s)
				}
			}
			if s, ok := m["otp"].(string); ok {
				c.addOTP(s)
			}
		}
		next.ServeHTTP(w, r)
	})
}

var otpShape = regexp.MustCompile(`^[0-9]{4,8}$`)

func (c *otpCanaries) addOTP(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if otpShape.MatchString(v) {
		c.otps[v] = true
	} else if len(v) >= 6 {
		c.seen[v] = "basic secret"
	}
}

// leaksAll returns every planted secret and OTP found in s.
func (c *otpCanaries) leaksAll(s string) []string {
	out := c.leaks(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	for otp := range c.otps {
		if regexp.MustCompile(`(^|[^0-9])` + otp + `([^0-9]|$)`).MatchString(s) {
			out = append(out, "otp")
		}
	}
	return out
}

func canaryFlowsConfig() sim.Config {
	cfg := flowsConfig()
	cfg.Users[0].Password = canaryPW
	strict := sim.Flow{Enabled: true, RequireRecaptcha: true, RequireAuth: true, AuthToken: canaryInitToken}
	cfg.Passwordless, cfg.Registration, cfg.ForgotPassword = strict, strict, strict
	return cfg
}

// TestCanaryHeadlessVerbose runs every issue-3 flow with -v and checks
// that no OTP, identifier, password, new password, init token, reCAPTCHA
// token, code or token reaches stderr, and stdout holds only what the
// output format asked for.
func TestCanaryHeadlessVerbose(t *testing.T) {
	cn := &otpCanaries{canaries: canaries{seen: map[string]string{canaryPW: "password", canaryNewPW: "new password",
		canaryRegPW: "registration password", canaryInitToken: "init token", canaryRecaptcha: "recaptcha"}}, otps: map[string]bool{}}
	ts := startSite(t, canaryFlowsConfig(), func(h http.Handler) http.Handler { return cn.record(cn.recordHeadless(h)) })
	check := func(t *testing.T, name, format string, te *testEnv, stdoutAllowed ...string) {
		t.Helper()
		if !contains(te.stderr.String(), "> POST") {
			t.Errorf("%s: -v printed no trace:\n%s", name, te.stderr)
		}
		if l := cn.leaksAll(te.stderr.String()); len(l) > 0 {
			t.Errorf("%s: stderr leaks %v:\n%s", name, l, te.stderr)
		}
		allowed := map[string]bool{}
		for _, a := range stdoutAllowed {
			allowed[a] = true
		}
		for _, l := range allowedOnStdout(format, cn.leaksAll(te.stdout.String())) {
			if !allowed[l] {
				t.Errorf("%s: stdout leaks %s:\n%s", name, l, te.stdout)
			}
		}
	}
	newEnv := func() *testEnv {
		te := newTestEnv(t)
		te.vars["SFECHO_INIT_TOKEN"] = canaryInitToken
		te.vars["SFECHO_RECAPTCHA"] = canaryRecaptcha
		return te
	}

	for _, out := range []string{"text", "json", "token", "env"} {
		te := newEnv()
		te.In = newOTPStdin(ts, testUser, "", "")
		if code := te.run(t, ts.pwlArgs("-v", "--username", testUser, "-o", out)...); code != 0 {
			t.Fatalf("passwordless -o %s: exit %d\n%s", out, code, te.stderr)
		}
		check(t, "passwordless", out, te)
	}

	te := newEnv()
	if code := te.run(t, ts.pwlArgs("-v", "--username", testUser, "--init-only")...); code != 0 {
		t.Fatalf("--init-only: exit %d\n%s", code, te.stderr)
	}
	check(t, "passwordless --init-only", "json", te, "identifier")
	id := decodeJSON(t, te.stdout.String())["identifier"].(string)
	te.vars["SFECHO_OTP"] = ts.lastOTP(t, id)
	if code := te.run(t, ts.pwlArgs("-v", "--identifier", id, "-o", "json")...); code != 0 {
		t.Fatalf("--identifier: exit %d\n%s", code, te.stderr)
	}
	check(t, "passwordless --identifier", "json", te)

	te = newEnv()
	te.In = newOTPStdin(ts, newUser, canaryRegPW+"\n", "")
	if code := te.run(t, ts.registerArgs("-v", "--password-stdin", "-o", "json")...); code != 0 {
		t.Fatalf("register: exit %d\n%s", code, te.stderr)
	}
	check(t, "register", "json", te)

	te = newEnv()
	te.In = newOTPStdin(ts, testUser, "", canaryNewPW+"\n")
	if code := te.run(t, ts.forgotArgs(testUser, "-v")...); code != 0 {
		t.Fatalf("forgot-password: exit %d\n%s", code, te.stderr)
	}
	check(t, "forgot-password", "json", te)

	te = newEnv()
	if code := te.run(t, ts.guestArgs("-v", "-o", "json")...); code != 0 {
		t.Fatalf("guest: exit %d\n%s", code, te.stderr)
	}
	check(t, "guest", "json", te)

	// Failures must not leak either: a wrong OTP, a refused init token.
	te = newEnv()
	in := newOTPStdin(ts, testUser, "", "")
	in.wrong = "918273"
	cn.addOTP("918273")
	te.In = in
	if code := te.run(t, ts.pwlArgs("-v", "--username", testUser)...); code != ExitRejected {
		t.Fatalf("wrong OTP: exit %d\n%s", code, te.stderr)
	}
	check(t, "wrong OTP", "json", te)
	te = newEnv()
	te.vars["SFECHO_INIT_TOKEN"] = "CANARY-staletok-0c4"
	cn.add("stale token", "CANARY-staletok-0c4")
	if code := te.run(t, ts.forgotArgs(testUser, "-v")...); code != ExitSetup {
		t.Fatalf("stale init token: exit %d\n%s", code, te.stderr)
	}
	check(t, "stale init token", "json", te)
}
