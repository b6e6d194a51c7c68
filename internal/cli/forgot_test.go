package cli

import (
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// forgotArgs are the flags of a password reset against ts.
func (ts *testSite) forgotArgs(user string, extra ...string) []string {
	return append([]string{"forgot-password", "--site", ts.URL, "--client-id", testClient,
		"--username", user, "--recaptcha", testRecaptch}, extra...)
}

// passwordOf returns the simulated user's current password.
func passwordOf(t *testing.T, ts *testSite, user string) string {
	t.Helper()
	u, ok := ts.User(user)
	if !ok {
		t.Fatalf("no user %s", user)
	}
	return u.Password
}

func TestForgotPasswordStdinLines(t *testing.T) {
	var bodies []map[string]any
	ts := startSite(t, flowsConfig(), recordInitBody(&bodies))
	te := newTestEnv(t)
	in := newOTPStdin(ts, testUser, "", testNewPass+"\n")
	te.In = in
	if code := te.run(t, ts.forgotArgs(testUser)...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if in.early {
		t.Fatal("stdin was read before the init step")
	}
	if got := passwordOf(t, ts, testUser); got != testNewPass {
		t.Errorf("password not changed")
	}
	m := decodeJSON(t, te.stdout.String())
	if m["status_code"] != "success" || m["username"] != testUser {
		t.Errorf("stdout = %v", m)
	}
	// protocol.md TV7: init {username, recaptcha}; change {username, otp, newpassword}.
	if len(bodies) != 2 || len(bodies[0]) != 2 || bodies[0]["recaptcha"] != testRecaptch ||
		len(bodies[1]) != 3 || bodies[1]["newpassword"] != testNewPass {
		t.Errorf("bodies = %v", bodies)
	}
}

func TestForgotPasswordTerminal(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	te.OutTTY = true
	prompts := te.terminal(func(p string) string {
		if strings.Contains(p, "code") {
			return ts.lastOTP(t, testUser)
		}
		return testNewPass
	})
	if code := te.run(t, ts.forgotArgs(testUser)...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}
	if len(*prompts) != 3 || !strings.Contains((*prompts)[0], "code") || !strings.Contains((*prompts)[2], "Repeat") {
		t.Errorf("prompts = %q; want code, new password, repeat", *prompts)
	}
	if !contains(te.stdout.String(), "Password changed for "+testUser) || passwordOf(t, ts, testUser) != testNewPass {
		t.Errorf("stdout:\n%s", te.stdout)
	}

	// The two entries differ: exit 2, password unchanged.
	i := 0
	te.terminal(func(p string) string {
		if strings.Contains(p, "code") {
			return ts.lastOTP(t, testUser)
		}
		i++
		return strings.Repeat("y", i) + "-Passw0rd"
	})
	if code := te.run(t, ts.forgotArgs(testUser)...); code != ExitUsage || !contains(te.stderr.String(), "do not match") {
		t.Errorf("mismatch: exit %d; stderr:\n%s", code, te.stderr)
	}
	if passwordOf(t, ts, testUser) != testNewPass {
		t.Error("password changed despite the mismatch")
	}
	// A mismatch, then a match: asked again, and the reset goes through.
	entries := []string{"first-Passw0rd1", "typo-Passw0rd1", "Second-Passw0rd2", "Second-Passw0rd2"}
	te.terminal(func(p string) string {
		if strings.Contains(p, "code") {
			return ts.lastOTP(t, testUser)
		}
		v := entries[0]
		entries = entries[1:]
		return v
	})
	if code := te.run(t, ts.forgotArgs(testUser)...); code != 0 || !contains(te.stderr.String(), "try again") {
		t.Errorf("mismatch then match: exit %d; stderr:\n%s", code, te.stderr)
	}
	if passwordOf(t, ts, testUser) != "Second-Passw0rd2" {
		t.Error("the password was not changed to the matching entry")
	}
}

func TestForgotPasswordEnvAndTwoStep(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	// SFECHO_NEW_PASSWORD with the OTP on stdin.
	te.vars["SFECHO_NEW_PASSWORD"] = testNewPass
	te.In = newOTPStdin(ts, testUser, "", "")
	if code := te.run(t, ts.forgotArgs(testUser)...); code != 0 || passwordOf(t, ts, testUser) != testNewPass {
		t.Fatalf("exit %d; stderr:\n%s", code, te.stderr)
	}

	// Two steps: --init-only, then --skip-init with SFECHO_OTP.
	te.In = te.stdin
	if code := te.run(t, ts.forgotArgs(testUser, "--init-only")...); code != 0 {
		t.Fatalf("--init-only: exit %d; stderr:\n%s", code, te.stderr)
	}
	if m := decodeJSON(t, te.stdout.String()); m["status_code"] != "otp_sent" {
		t.Errorf("--init-only printed %v", m)
	}
	te.vars["SFECHO_OTP"] = ts.lastOTP(t, testUser)
	te.vars["SFECHO_NEW_PASSWORD"] = "Th1rd-Passw0rd"
	args := []string{"forgot-password", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--skip-init"}
	if code := te.run(t, args...); code != 0 || passwordOf(t, ts, testUser) != "Th1rd-Passw0rd" {
		t.Fatalf("--skip-init: exit %d; stderr:\n%s", code, te.stderr)
	}
	if ts.Requests() != 4 {
		t.Errorf("requests = %d; want 4 (init, change, init, change)", ts.Requests())
	}
}

// TestForgotPasswordUnknownUser: sfecho says the same for a user who does
// not exist as for one who does (protocol.md §6).
func TestForgotPasswordUnknownUser(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	out := map[string]string{}
	for _, user := range []string{testUser, "nobody@example.com"} {
		te := newTestEnv(t)
		if code := te.run(t, ts.forgotArgs(user, "--init-only")...); code != 0 {
			t.Fatalf("%s: exit %d; stderr:\n%s", user, code, te.stderr)
		}
		out[user] = strings.ReplaceAll(te.stderr.String()+te.stdout.String(), user, "<user>")
	}
	if out[testUser] != out["nobody@example.com"] {
		t.Errorf("known and unknown users differ:\n%s\n---\n%s", out[testUser], out["nobody@example.com"])
	}
	// The change then fails like a wrong code, and the advice allows both.
	te := newTestEnv(t)
	te.vars["SFECHO_OTP"], te.vars["SFECHO_NEW_PASSWORD"] = "123456", testNewPass
	if code := te.run(t, ts.forgotArgs("nobody@example.com", "--skip-init")...); code != ExitRejected {
		t.Fatalf("exit %d; want 3; stderr:\n%s", code, te.stderr)
	}
	if !contains(te.stderr.String(), "change password") || !contains(te.stderr.String(), "or the username is not a member") {
		t.Errorf("stderr:\n%s", te.stderr)
	}
}

func TestForgotPasswordErrors(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*sim.Config)
		args   []string
		newPW  string
		wrong  string
		want   int
		stderr string
	}{
		{name: "wrong otp", wrong: "000000", want: ExitRejected, stderr: "hint: the code was wrong or has expired, or the username"},
		{name: "weak password", newPW: "short", want: ExitRejected, stderr: "hint: the new password fails the site's password policy"},
		{name: "no recaptcha", args: []string{"--recaptcha", ""}, want: ExitSetup, stderr: "hint: the site requires reCAPTCHA: pass"},
		{name: "disabled", cfg: func(c *sim.Config) { c.ForgotPassword.Enabled = false }, want: ExitSetup, stderr: "hint: enable the flow"},
		{name: "auth required", cfg: func(c *sim.Config) { c.ForgotPassword = sim.Flow{Enabled: true, RequireAuth: true, AuthToken: "it"} },
			want: ExitSetup, stderr: "scope forgot_password"},
		{name: "bad output", args: []string{"-o", "token"}, want: ExitUsage, stderr: "json or text"},
		{name: "init-only and skip-init", args: []string{"--init-only", "--skip-init"}, want: ExitUsage, stderr: "exclude"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := flowsConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ts := startSite(t, cfg, nil)
			te := newTestEnv(t)
			pw := tc.newPW
			if pw == "" {
				pw = testNewPass
			}
			in := newOTPStdin(ts, testUser, "", pw+"\n")
			in.wrong = tc.wrong
			te.In = in
			if code := te.run(t, ts.forgotArgs(testUser, tc.args...)...); code != tc.want {
				t.Fatalf("exit %d; want %d; stderr:\n%s", code, tc.want, te.stderr)
			}
			if !contains(te.stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, te.stderr)
			}
			if passwordOf(t, ts, testUser) != testPass {
				t.Error("the password changed on a failure")
			}
		})
	}
}
