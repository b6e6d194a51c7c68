package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStatusAllCheckAndProfileUse covers the sessions a user can see:
// status --all lists every saved session, status --check asks the site,
// status refuses the flags that cannot apply without --check, and profile
// use moves the default profile.
func TestStatusAllCheckAndProfileUse(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	ts.login(t, te, "--profile", "ci")

	if code := te.run(t, "status", "--all", "-o", "json"); code != 0 {
		t.Fatalf("status --all: exit %d\n%s", code, te.stderr)
	}
	var rows []sessionStatus
	if err := json.Unmarshal(te.stdout.Bytes(), &rows); err != nil || len(rows) != 2 ||
		rows[0].Profile != "ci" || rows[1].Profile != "default" || rows[0].Username != testUser || rows[0].Store != "file" {
		t.Fatalf("status --all = %s (%v)", te.stdout, err)
	}
	if code := te.run(t, "status", "--all", "-o", "text"); code != 0 || !strings.Contains(te.stdout.String(), "PROFILE") ||
		!strings.Contains(te.stdout.String(), "ci ") {
		t.Errorf("status --all -o text: exit %d\n%s", code, te.stdout)
	}

	if code := te.run(t, "status", "--check", "-o", "json"); code != 0 || !strings.Contains(te.stdout.String(), `"accepted": true`) {
		t.Errorf("status --check on a live token: exit %d\n%s%s", code, te.stdout, te.stderr)
	}
	// The site drops the token early: --check says so (exit 4), plain status cannot know.
	s := te.session(t, "default")
	if !ts.revokeAtSite(t, s.RefreshToken) {
		t.Fatal("could not revoke at the site")
	}
	if code := te.run(t, "status", "-o", "json"); code != 0 || !strings.Contains(te.stdout.String(), `"state": "valid"`) {
		t.Errorf("status without --check: exit %d\n%s", code, te.stdout)
	}
	if code := te.run(t, "status", "--check", "-o", "text"); code != ExitNoSession ||
		!strings.Contains(te.stdout.String(), "does not accept the access token") {
		t.Errorf("status --check on a dropped token: exit %d\n%s%s", code, te.stdout, te.stderr)
	}
	for _, f := range [][]string{{"--insecure"}, {"--ca-file", "x.pem"}, {"--timeout", "5s"}} {
		if code := te.run(t, append([]string{"status"}, f...)...); code != ExitUsage || !strings.Contains(te.stderr.String(), "applies only with --check") {
			t.Errorf("status %v: exit %d\n%s", f, code, te.stderr)
		}
	}

	if code := te.run(t, "profile", "use", "ci"); code != 0 {
		t.Fatalf("profile use ci: exit %d\n%s", code, te.stderr)
	}
	if code := te.run(t, "status", "-o", "json"); code != 0 || !strings.Contains(te.stdout.String(), `"profile": "ci"`) {
		t.Errorf("status after profile use ci: exit %d\n%s", code, te.stdout)
	}
	te.vars["SFECHO_PROFILE"] = "default" // the variable still wins
	if code := te.run(t, "status", "-o", "json"); code != 0 || !strings.Contains(te.stdout.String(), `"profile": "default"`) {
		t.Errorf("SFECHO_PROFILE over profile use: exit %d\n%s", code, te.stdout)
	}
	delete(te.vars, "SFECHO_PROFILE")
	if code := te.run(t, "profile", "use", "default"); code != 0 {
		t.Fatalf("profile use default: exit %d", code)
	}
	if code := te.run(t, "status", "-o", "json"); !strings.Contains(te.stdout.String(), `"profile": "default"`) {
		t.Errorf("status after profile use default: exit %d\n%s", code, te.stdout)
	}
	if code := te.run(t, "profile", "use", "../etc"); code != ExitUsage {
		t.Errorf("profile use ../etc: exit %d", code)
	}
}
