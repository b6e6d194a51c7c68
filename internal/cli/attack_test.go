package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// Found by attacking the built binary as a hostile site and a careless user
// (see the closing note); each test is one finding, fixed.

// A secret the site echoes at the edge of where a long text is cut must be
// masked whole: texts are shortened only after masking.
func TestEchoedSecretAtTheCut(t *testing.T) {
	t.Parallel()
	const pw = "CANARY-PW-7731-xyz"
	cfg := defaultConfig()
	cfg.Users[0].Password = pw
	for _, pad := range []int{150, 190, 195, 199, 390, 395} {
		ts := startSite(t, cfg, nil)
		ts.Fail(sim.EndpointAuthorize, sim.Failure{Status: 400,
			Body: `{"error":"invalid_grant","error_description":"` + strings.Repeat("P", pad) + pw + `"}`})
		te := newTestEnv(t)
		te.stdin.WriteString(pw + "\n")
		code := te.run(t, append(ts.loginArgs(), "-o", "json")...)
		out := te.stdout.String() + te.stderr.String()
		if code != ExitRejected || strings.Contains(out, pw[:8]) {
			t.Errorf("padding %d: exit %d; output holds part of the password:\n%s", pad, code, out)
		}
	}
}

// -o json answers a failure in JSON even when it is found before the
// command reads -o: a bad flag, a stray argument, an unusable config file.
func TestJSONErrorBeforeFlagsAreRead(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	for _, args := range [][]string{
		{"login", "-o", "json", "--bogus"},
		{"login", "--password-stdin", "stray", "-o", "json"},
		{"api", "/services/data", "-o", "json"},
		{"status", "--json"},
		{"token", "--output=json"},
	} {
		code := te.run(t, args...)
		var got struct {
			Error jsonError `json:"error"`
		}
		if json.Unmarshal(te.stdout.Bytes(), &got) != nil || got.Error.ExitCode != code || code == 0 {
			t.Errorf("%v: exit %d, stdout %q; want one JSON error object", args, code, te.stdout)
		}
	}
	if err := os.WriteFile(filepath.Join(te.ConfigDir, "config.toml"), []byte("x"), 0o666); err == nil {
		os.Chmod(filepath.Join(te.ConfigDir, "config.toml"), 0o666)
		if code := te.run(t, "token", "-o", "json"); code != ExitUsage || !json.Valid(te.stdout.Bytes()) || te.stdout.Len() == 0 {
			t.Errorf("unsafe config: exit %d, stdout %q", code, te.stdout)
		}
	}
}

// A token answer whose URLs carry control characters is refused (exit 7)
// and nothing is saved: a login sfecho refuses leaves no session behind.
func TestHostileURLInTokenAnswerIsNotSaved(t *testing.T) {
	t.Parallel()
	ts := startSite(t, defaultConfig(), editJSON("/token", func(m map[string]any) {
		m["instance_url"] = m["instance_url"].(string) + "/\x1b[31m"
	}))
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	args := []string{"login", "--site", ts.URL, "--client-id", testClient, "--username", testUser, "--password-stdin", "-o", "env"}
	if code := te.run(t, args...); code != ExitSecurity || te.stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q; want 7 and nothing printed\n%s", code, te.stdout, te.stderr)
	}
	if code := te.run(t, "token"); code != ExitNoSession {
		t.Errorf("token after a refused login: exit %d; want 4 (nothing saved)", code)
	}
}
