package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// githubRun runs args with $GITHUB_OUTPUT set to a fresh file (which already
// holds a line of an earlier step) and returns the file's new lines.
func githubRun(t *testing.T, te *testEnv, args ...string) (code int, outputs []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(path, []byte("earlier=step\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	te.vars["GITHUB_OUTPUT"] = path
	defer delete(te.vars, "GITHUB_OUTPUT")
	code = te.run(t, args...)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != "earlier=step" {
		t.Errorf("$GITHUB_OUTPUT lost an earlier step's line: %q", b)
	}
	return code, lines[1:]
}

// checkGitHubStdout checks that stdout holds nothing but ::add-mask:: lines,
// one for each of secrets, so every secret is masked before any log line
// could show it; and that no secret reached stderr.
func checkGitHubStdout(t *testing.T, te *testEnv, secrets ...string) {
	t.Helper()
	out := te.stdout.String()
	if !strings.HasPrefix(out, "::add-mask::") {
		t.Errorf("stdout does not start with ::add-mask::: %q", out)
	}
	masked := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		v, ok := strings.CutPrefix(line, "::add-mask::")
		if !ok {
			t.Errorf("stdout line %q is not ::add-mask::", line)
		}
		masked[v] = true
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret to check is empty")
		}
		if !masked[s] {
			t.Errorf("no ::add-mask:: for a secret of %d chars; stdout:\n%s", len(s), out)
		}
		if strings.Contains(te.stderr.String(), s) {
			t.Errorf("a secret reached stderr:\n%s", te.stderr)
		}
	}
}

func TestGitHubOutputLogin(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	code, outputs := githubRun(t, te, "login", "--site", ts.URL, "--client-id", testClient, "--username", testUser,
		"--password-stdin", "--scope", "api refresh_token openid", "-o", "github")
	if code != 0 {
		t.Fatalf("login -o github: exit %d\n%s", code, te.stderr)
	}
	s := te.session(t, "default") // the login saved its session as usual
	tok := sessionToken(s)
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("the site sent no access, refresh or id token: %s", s.Token)
	}
	checkGitHubStdout(t, te, tok.AccessToken, tok.RefreshToken, tok.IDToken, tok.Signature)
	want := []string{
		"access_token=" + tok.AccessToken,
		"instance_url=" + tok.InstanceURL,
		"community_url=" + ts.URL,
	}
	if strings.Join(outputs, "\n") != strings.Join(want, "\n") {
		t.Errorf("$GITHUB_OUTPUT lines:\n%s\nwant:\n%s", strings.Join(outputs, "\n"), strings.Join(want, "\n"))
	}
}

func TestGitHubOutputTokenAndRefresh(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	at := ts.login(t, te)
	code, outputs := githubRun(t, te, "token", "-o", "github")
	if code != 0 {
		t.Fatalf("token -o github: exit %d\n%s", code, te.stderr)
	}
	s := te.session(t, "default")
	checkGitHubStdout(t, te, at, s.RefreshToken)
	if len(outputs) != 3 || outputs[0] != "access_token="+at || outputs[2] != "community_url="+ts.URL ||
		!strings.HasPrefix(outputs[1], "instance_url=http") {
		t.Errorf("token -o github: $GITHUB_OUTPUT lines %q", outputs)
	}

	code, outputs = githubRun(t, te, "refresh", "-o", "github")
	if code != 0 {
		t.Fatalf("refresh -o github: exit %d\n%s", code, te.stderr)
	}
	if n := ts.Grants("refresh_token"); n != 1 {
		t.Errorf("refresh made %d refresh grants; want 1", n)
	}
	s = te.session(t, "default")
	if s.AccessToken == at {
		t.Fatal("refresh kept the old access token")
	}
	checkGitHubStdout(t, te, s.AccessToken, s.RefreshToken) // rotated: both new
	if len(outputs) != 3 || outputs[0] != "access_token="+s.AccessToken {
		t.Errorf("refresh -o github: $GITHUB_OUTPUT lines %q", outputs)
	}
}

func TestGitHubOutputNeedsGitHubOutputFile(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	te.stdin.WriteString(testPass + "\n")
	before := ts.Requests()
	if code := te.run(t, ts.loginArgs("-o", "github")...); code != ExitUsage {
		t.Errorf("login -o github without $GITHUB_OUTPUT: exit %d; want %d", code, ExitUsage)
	}
	if n := ts.Requests() - before; n != 0 {
		t.Errorf("login -o github without $GITHUB_OUTPUT made %d requests; want none", n)
	}
	if !strings.Contains(te.stderr.String(), "GITHUB_OUTPUT") || te.stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want only an error naming GITHUB_OUTPUT", te.stdout, te.stderr)
	}
	ts.login(t, te)
	if code := te.run(t, "token", "-o", "github"); code != ExitUsage || te.stdout.Len() != 0 {
		t.Errorf("token -o github without $GITHUB_OUTPUT: exit %d, stdout %q; want %d and nothing", code, te.stdout, ExitUsage)
	}
}

func TestGitHubOutputsMultiline(t *testing.T) {
	got, err := githubOutputs([][2]string{{"a", "plain"}, {"b", "two\nlines"}, {"c", ""}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got, "\n")
	if lines[0] != "a=plain" {
		t.Errorf("first line %q; want a=plain", lines[0])
	}
	d, ok := strings.CutPrefix(lines[1], "b<<")
	if !ok || len(d) < 20 || lines[2] != "two" || lines[3] != "lines" || lines[4] != d || lines[5] != "c=" {
		t.Errorf("multi-line output not in the name<<DELIMITER form:\n%s", got)
	}
	if escapeWorkflowData("a%b\r\nc") != "a%25b%0D%0Ac" {
		t.Errorf("escapeWorkflowData = %q", escapeWorkflowData("a%b\r\nc"))
	}
}

func TestVersionJSON(t *testing.T) {
	te := newTestEnv(t)
	te.Version, te.Commit, te.Date = "1.2.3", "0123456789abcdef0123456789abcdef01234567", "2025-01-02T03:04:05Z"
	if code := te.run(t, "version"); code != 0 ||
		!strings.HasPrefix(te.stdout.String(), "sfecho 1.2.3 (commit 0123456789ab, built 2025-01-02T03:04:05Z, go") {
		t.Errorf("version: exit %d %q", code, te.stdout)
	}
	if code := te.run(t, "version", "-o", "json"); code != 0 {
		t.Fatalf("version -o json: exit %d\n%s", code, te.stderr)
	}
	var got map[string]string
	if err := json.Unmarshal(te.stdout.Bytes(), &got); err != nil {
		t.Fatalf("version -o json: %v\n%s", err, te.stdout)
	}
	if got["version"] != "1.2.3" || got["commit"] != te.Commit || got["date"] != te.Date ||
		!strings.HasPrefix(got["go_version"], "go") || got["platform"] == "" {
		t.Errorf("version -o json = %v", got)
	}
	if code := te.run(t, "version", "-o", "yaml"); code != ExitUsage {
		t.Errorf("version -o yaml: exit %d; want %d", code, ExitUsage)
	}
}

func TestConfigDirFromEnvironment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "sfecho")
	t.Setenv("SFECHO_CONFIG_DIR", dir)
	env := System("", "")
	if env.ConfigDir != dir {
		t.Errorf("SFECHO_CONFIG_DIR=%s: ConfigDir = %s", dir, env.ConfigDir)
	}
	if got := sessionsDir(env); got != filepath.Join(dir, "sessions") {
		t.Errorf("sessions dir = %s; want under SFECHO_CONFIG_DIR", got)
	}
	if got := configPath(env); got != filepath.Join(dir, "config.toml") {
		t.Errorf("config file = %s; want under SFECHO_CONFIG_DIR", got)
	}
	// A relative directory is made absolute.
	wd, _ := os.Getwd()
	if got := resolveConfigDir(func(string) string { return "rel" }); got != filepath.Join(wd, "rel") {
		t.Errorf("SFECHO_CONFIG_DIR=rel: %s; want %s", got, filepath.Join(wd, "rel"))
	}
	// Unset: os.UserConfigDir()/sfecho.
	if ucd, err := os.UserConfigDir(); err == nil {
		if got := resolveConfigDir(func(string) string { return "" }); got != filepath.Join(ucd, "sfecho") {
			t.Errorf("default config dir = %s; want %s", got, filepath.Join(ucd, "sfecho"))
		}
	}
}

func TestProfileNameCompletion(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t)
	for _, p := range []string{"ci", "staging", "default"} {
		if code := te.run(t, "profile", "set", p, "site", "https://acme.my.site.com"); code != 0 {
			t.Fatalf("profile set: exit %d\n%s", code, te.stderr)
		}
	}
	for _, args := range [][]string{
		{"__complete", "profile", "show", "s"},
		{"__complete", "profile", "delete", "s"},
		{"__complete", "token", "--profile", "s"},
		{"__complete", "login", "--profile", "s"},
	} {
		if code := te.run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, te.stderr)
		}
		if out := te.stdout.String(); !strings.HasPrefix(out, "staging\n:4\n") {
			t.Errorf("%v completed %q; want staging and :4 (no file completion)", args, out)
		}
	}
	if code := te.run(t, "__complete", "profile", "set", "ci", "client_"); code != 0 ||
		!strings.HasPrefix(te.stdout.String(), "client_id\nclient_secret_file\n") {
		t.Errorf("profile set KEY completed %q", te.stdout)
	}
}
