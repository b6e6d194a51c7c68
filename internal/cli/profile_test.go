package cli

import (
	"os"
	"strings"
	"testing"
)

func TestProfileCommands(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	steps := []struct {
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{[]string{"profile", "list"}, 0, "", ""},
		{[]string{"profile", "set", "ci", "site", "https://acme.my.site.com/shop"}, 0, "", ""},
		{[]string{"profile", "set", "ci", "client_id", "3MVG9x"}, 0, "", ""},
		{[]string{"profile", "set", "ci", "store", "keyring"}, 0, "", ""},
		{[]string{"profile", "set", "ci", "min_valid", "10m"}, 0, "", ""},
		{[]string{"profile", "set", "dev", "username", "alice@example.com"}, 0, "", ""},
		{[]string{"profile", "list", "-o", "text"}, 0, "ci\ndev\n", ""},
		{[]string{"profile", "show", "ci", "-o", "text"}, 0, "[profiles.\"ci\"]\nsite = \"https://acme.my.site.com/shop\"\nclient_id = \"3MVG9x\"\nstore = \"keyring\"\nmin_valid = \"10m0s\"\n", ""},
		{[]string{"profile", "show", "--profile", "dev", "-o", "text"}, 0, `username = "alice@example.com"`, ""},
		{[]string{"profile", "unset", "ci", "store"}, 0, "", ""},
		{[]string{"profile", "show", "ci"}, 0, "client_id", ""},
		{[]string{"profile", "set", "ci", "store", "vault"}, ExitUsage, "", `"vault" is not one of file, keyring`},
		{[]string{"profile", "set", "ci", "sitee", "x"}, ExitUsage, "", `unknown key "sitee"`},
		{[]string{"profile", "set", "ci", "client_secret", "x"}, ExitUsage, "", "client_secret_file"},
		{[]string{"profile", "set", "../x", "site", "x"}, ExitUsage, "", "profile name"},
		{[]string{"profile", "set", "ci", "site"}, ExitUsage, "", ""},
		{[]string{"profile", "show", "nope"}, ExitUsage, "", `no profile "nope"`},
		{[]string{"profile", "delete", "dev"}, 0, "", "deleted profile dev"},
		{[]string{"profile", "delete", "dev"}, ExitUsage, "", `no profile "dev"`},
		{[]string{"profile", "list", "-o", "text"}, 0, "ci\n", ""},
	}
	for _, st := range steps {
		code := te.run(t, st.args...)
		if code != st.code || !strings.Contains(te.stdout.String(), st.stdout) || !strings.Contains(te.stderr.String(), st.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, %q, %q",
				st.args, code, te.stdout, te.stderr, st.code, st.stdout, st.stderr)
		}
	}
	info, err := os.Stat(configPath(te.Env))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v (%v); want 0600", info.Mode().Perm(), err)
	}
}

func TestProfileFeedsLoginAndToken(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	for _, kv := range [][2]string{{"site", ts.URL}, {"client_id", testClient}, {"username", testUser},
		{"scope", "api refresh_token"}, {"min_valid", "3h"}} {
		if code := te.run(t, "profile", "set", "ci", kv[0], kv[1]); code != 0 {
			t.Fatalf("profile set %v: exit %d\n%s", kv, code, te.stderr)
		}
	}
	te.stdin.WriteString(testPass + "\n")
	if code := te.run(t, "login", "--profile", "ci", "--password-stdin", "-o", "token"); code != 0 {
		t.Fatalf("login from the profile: exit %d\n%s", code, te.stderr)
	}
	// min_valid = 3h in the profile is more than the 2h session: refresh.
	if code := te.run(t, "token", "--profile", "ci"); code != 0 || ts.Grants("refresh_token") != 1 {
		t.Errorf("token --profile ci: exit %d, %d refreshes; want 0, 1 (profile min_valid)\n%s", code, ts.Grants("refresh_token"), te.stderr)
	}
	// The flag beats the environment, which beats the profile.
	te.vars["SFECHO_MIN_VALID"] = "1m"
	if code := te.run(t, "token", "--profile", "ci"); code != 0 || ts.Grants("refresh_token") != 1 {
		t.Errorf("SFECHO_MIN_VALID=1m: exit %d, %d refreshes; want 0, 1", code, ts.Grants("refresh_token"))
	}
	if code := te.run(t, "token", "--profile", "ci", "--min-valid", "3h"); code != 0 || ts.Grants("refresh_token") != 2 {
		t.Errorf("--min-valid 3h: exit %d, %d refreshes; want 0, 2", code, ts.Grants("refresh_token"))
	}
}

func TestConfigErrorNamesFileAndLine(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	content := "[profiles.ci]\nsite = \"https://x.my.site.com\"\n\nsitee = \"typo\"\n"
	if err := os.WriteFile(configPath(te.Env), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"token", "--profile", "ci"}, {"login", "--profile", "ci"}, {"profile", "list"}} {
		if code := te.run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d; want %d", args, code, ExitUsage)
		}
		want := configPath(te.Env) + `:4: unknown key "profiles.ci.sitee"`
		if !strings.Contains(te.stderr.String(), want) {
			t.Errorf("%v: stderr %q; want %q", args, te.stderr, want)
		}
	}
}
