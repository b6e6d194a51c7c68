package cli

import "testing"

// TestHeadlessPKCEWire pins what Salesforce's own clients send (protocol.md Q9), for every headless flow:
// the authorize body carries code_challenge and no code_challenge_method
// (as Salesforce's own clients send it), the token step a 128-character
// verifier; SFECHO_CHALLENGE_METHOD=S256 and --challenge-method override.
func TestHeadlessPKCEWire(t *testing.T) {
	rec := newRecorder()
	ts := startSite(t, flowsConfig(), rec.wrap)
	type run struct {
		name   string
		args   []string
		stdin  func(te *testEnv)
		vars   map[string]string
		method string // the code_challenge_method expected on the wire
	}
	pw := func(te *testEnv) { te.stdin.WriteString(testPass + "\n") }
	runs := []run{
		{"login", ts.loginArgs(), pw, nil, ""},
		{"login echo", ts.loginArgs("--capture", "echo"), pw, nil, ""},
		{"guest", ts.guestArgs(), nil, nil, ""},
		{"passwordless", ts.pwlArgs("--username", testUser), func(te *testEnv) { te.In = newOTPStdin(ts, testUser, "", "") }, nil, ""},
		{"register", ts.registerArgs("--password-stdin"), func(te *testEnv) { te.In = newOTPStdin(ts, newUser, testNewPass+"\n", "") }, nil, ""},
		{"login env S256", ts.loginArgs(), pw, map[string]string{"SFECHO_CHALLENGE_METHOD": "S256"}, "S256"},
		{"login flag S256", ts.loginArgs("--challenge-method", "S256"), pw, nil, "S256"},
		{"login flag none over env", ts.loginArgs("--challenge-method", "none"), pw, map[string]string{"SFECHO_CHALLENGE_METHOD": "S256"}, ""},
		{"hidden alias", ts.loginArgs("--omit-challenge-method"), pw, map[string]string{"SFECHO_CHALLENGE_METHOD": "S256"}, ""},
	}
	for _, r := range runs {
		te := newTestEnv(t)
		for k, v := range r.vars {
			te.vars[k] = v
		}
		if r.stdin != nil {
			r.stdin(te)
		}
		if code := te.run(t, append(r.args, "-o", "json")...); code != 0 {
			t.Fatalf("%s: exit %d; stderr:\n%s", r.name, code, te.stderr)
		}
		az, tk := rec.forms["authorize"], rec.forms["token"]
		if len(az["code_challenge"]) != 1 || len(az["code_challenge"][0]) != 43 {
			t.Errorf("%s: code_challenge = %v", r.name, az["code_challenge"])
		}
		got := ""
		if m := az["code_challenge_method"]; len(m) > 0 {
			got = m[0]
		}
		if got != r.method {
			t.Errorf("%s: code_challenge_method = %q; want %q", r.name, got, r.method)
		}
		if v := tk["code_verifier"]; len(v) != 1 || len(v[0]) != 128 {
			t.Errorf("%s: code_verifier is not one 128-character value", r.name)
		}
	}
	te := newTestEnv(t)
	if code := te.run(t, ts.loginArgs("--challenge-method", "plain")...); code != ExitUsage {
		t.Errorf("--challenge-method plain: exit %d; want 2", code)
	}
}

// TestPKCECommandShape: sfecho pkce prints a verifier of the shape every
// flow sends.
func TestPKCECommandShape(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run(t, "pkce"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	m := decodeJSON(t, te.stdout.String())
	if v, _ := m["code_verifier"].(string); len(v) != 128 {
		t.Errorf("pkce verifier is %d characters; want 128", len(v))
	}
}
