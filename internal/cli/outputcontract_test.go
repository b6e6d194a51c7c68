package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
)

// TestOutputContract runs every command that prints data with -o json,
// with -o text, and piped without -o, against one simulated site and one
// saved session: -o json prints one valid JSON document, -o text prints
// lines that are not JSON, no -o on a pipe prints what the README's
// "Output" section says, and stderr never holds the session's tokens.
func TestOutputContract(t *testing.T) {
	ts := sessionSite(t, func(c *sim.Config) { c.Guest = true })
	te := newTestEnv(t)
	access := ts.login(t, te)
	refresh := te.session(t, "default").RefreshToken
	echoURL := "https://acme.my.site.com/services/oauth2/echo?code=aPrx%3D%3D&state=s1"
	te.run(t, "profile", "set", "ci", "site", ts.URL)
	tests := []struct {
		args   []string
		piped  string // what no -o prints on a pipe: json, text, token or none
		stdin  string
		noText bool // the command has no text form
	}{
		{args: ts.loginArgs(), piped: "json", stdin: testPass + "\n"},
		{args: []string{"guest", "--site", ts.URL, "--client-id", testClient}, piped: "json"},
		{args: []string{"token"}, piped: "token"},
		{args: []string{"refresh"}, piped: "none"},
		{args: []string{"userinfo"}, piped: "json"},
		{args: []string{"status"}, piped: "json"},
		{args: []string{"status", "--all"}, piped: "json"},
		{args: []string{"pkce"}, piped: "json"},
		{args: []string{"echo", "decode", echoURL}, piped: "json"},
		{args: []string{"profile", "list"}, piped: "json"},
		{args: []string{"profile", "show", "ci"}, piped: "json"},
		{args: []string{"doctor", "--site", ts.URL, "--client-id", testClient}, piped: "json"},
		{args: []string{"version"}, piped: "text"},
		// api prints the site's body: pretty JSON for text (the body is JSON), raw bytes on a pipe.
		{args: []string{"api", "sobjects/Account/" + testAccount}, piped: "raw", noText: true},
	}
	for _, tc := range tests {
		name := strings.Join(tc.args[:min(2, len(tc.args))], " ")
		for _, format := range []string{"json", "text", ""} {
			if format == "text" && tc.noText {
				continue
			}
			args := append([]string(nil), tc.args...)
			if format != "" {
				args = append(args, "-o", format)
			}
			te.stdin.Reset()
			te.stdin.WriteString(tc.stdin)
			if code := te.run(t, args...); code != 0 {
				t.Errorf("%s -o %q: exit %d\n%s", name, format, code, te.stderr)
				continue
			}
			out, errOut := te.stdout.String(), te.stderr.String()
			for _, secret := range []string{access, refresh} {
				if secret != "" && strings.Contains(errOut, secret) {
					t.Errorf("%s -o %q: a token reached stderr", name, format)
				}
			}
			want := format
			if want == "" {
				want = tc.piped
			}
			switch want {
			case "json", "raw":
				if !json.Valid([]byte(out)) {
					t.Errorf("%s -o %q: stdout is not one JSON document:\n%s", name, format, out)
				}
			case "text":
				if strings.TrimSpace(out) == "" || json.Valid([]byte(out)) {
					t.Errorf("%s -o %q: stdout is not text:\n%s", name, format, out)
				}
			case "token":
				if !strings.HasPrefix(out, "00D") || strings.Count(out, "\n") != 1 {
					t.Errorf("%s: stdout is not one token line: %q", name, out)
				}
			case "none":
				if out != "" {
					t.Errorf("%s: stdout %q; want nothing", name, out)
				}
			}
		}
	}
}

// TestFormatThatDoesNotFit: a format a command cannot print is exit 2
// before anything is sent, never silently JSON; -o json failures print a
// JSON error object a script can read.
func TestFormatThatDoesNotFit(t *testing.T) {
	ts := startSite(t, flowsConfig(), nil)
	te := newTestEnv(t)
	before := ts.Requests()
	for _, args := range [][]string{
		ts.pwlArgs("--username", testUser, "--init-only", "-o", "env"),
		ts.pwlArgs("--username", testUser, "--init-only", "-o", "token"),
		{"status", "-o", "token"},
		{"userinfo", "-o", "env"},
		{"pkce", "-o", "header"},
		{"version", "-o", "yaml"},
		{"profile", "list", "-o", "env"},
	} {
		if code := te.run(t, args...); code != ExitUsage || te.stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing printed", args, code, te.stdout)
		}
	}
	if n := ts.Requests() - before; n != 0 {
		t.Errorf("%d requests sent for formats that do not fit", n)
	}
	if code := te.run(t, "token", "-o", "json"); code != ExitNoSession {
		t.Fatalf("token without a session: exit %d", code)
	}
	var got struct {
		Error jsonError `json:"error"`
	}
	if err := json.Unmarshal(te.stdout.Bytes(), &got); err != nil || got.Error.ExitCode != ExitNoSession ||
		got.Error.Kind != "no_session" || got.Error.Message == "" || got.Error.Hint == "" {
		t.Errorf("-o json failure: stdout %q (%v)", te.stdout, err)
	}
	if !strings.Contains(te.stderr.String(), "sfecho: no saved session") {
		t.Errorf("stderr lost its human lines: %s", te.stderr)
	}
}
