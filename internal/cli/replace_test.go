package cli

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
)

// TestLoginOfAnotherUserRevokesTheReplacedSession: a login into a profile
// that holds another user's session revokes that session's refresh token
// before replacing it (logout could never reach it afterwards); the same
// user's session is replaced quietly.
func TestLoginOfAnotherUserRevokesTheReplacedSession(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	cfg.Users = append(cfg.Users, sim.User{Username: "bob@example.com", Password: "Bob-Passw0rd!", Email: "bob@example.com", LastName: "B"})
	ts := startSite(t, cfg, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	alice := te.session(t, "default")

	ts.login(t, te) // the same user again: quiet, nothing revoked
	if strings.Contains(te.stderr.String(), "revoked") {
		t.Errorf("re-login of the same user revoked something: %s", te.stderr)
	}
	if !ts.refreshWorks(t, alice.RefreshToken) {
		t.Fatal("the same user's re-login revoked the old refresh token")
	}
	alice = te.session(t, "default")

	te.stdin.Reset()
	te.stdin.WriteString("Bob-Passw0rd!\n")
	if code := te.run(t, "login", "--site", ts.URL, "--client-id", testClient, "--username", "bob@example.com",
		"--password-stdin", "--scope", "api refresh_token", "-o", "token"); code != 0 {
		t.Fatalf("bob's login: exit %d\n%s", code, te.stderr)
	}
	if !strings.Contains(te.stderr.String(), "held alice@example.com's session: revoked it") {
		t.Errorf("stderr does not say alice's session was revoked:\n%s", te.stderr)
	}
	if ts.refreshWorks(t, alice.RefreshToken) {
		t.Error("alice's replaced refresh token is still live at the site")
	}
	if s := te.session(t, "default"); s.Username != "bob@example.com" {
		t.Errorf("saved session is %s's", s.Username)
	}
}

// refreshWorks reports whether the site still honours a refresh token.
func (ts *testSite) refreshWorks(t *testing.T, rt string) bool {
	t.Helper()
	site, err := flow.ParseSite(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, Site: site, ClientID: testClient}
	_, err = c.Refresh(t.Context(), "", rt)
	return err == nil
}

// revokeAtSite revokes a token at the site, behind sfecho's back.
func (ts *testSite) revokeAtSite(t *testing.T, token string) bool {
	t.Helper()
	site, err := flow.ParseSite(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, Site: site, ClientID: testClient}
	return c.Revoke(t.Context(), "", token) == nil
}
