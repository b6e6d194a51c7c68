package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
)

// TestLogoutTokenRace is a race that once handed out revoked tokens: `sfecho logout & sleep 0.02;
// sfecho token` right after a login, against a site whose revocation takes
// a moment. logout holds the profile's lock while the site revokes, then
// deletes the session; the token run (the first after the login, which
// learns the expiry) read the session before waiting for that lock. It must
// find no session (exit 4) and must never save its stale copy back: the
// revoked tokens would then be handed out for hours. The simulator delays
// the revocation; token starts only once the revoke request has reached the
// site, so it always reads the session while logout holds the lock.
func TestLogoutTokenRace(t *testing.T) {
	t.Parallel()
	revoking := make(chan struct{})
	var once sync.Once
	cfg := defaultConfig()
	cfg.Fail = map[string]sim.Failure{sim.EndpointRevoke: {Delay: 300 * time.Millisecond}}
	ts := startSite(t, cfg, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/services/oauth2/revoke") {
				once.Do(func() { close(revoking) })
			}
			next.ServeHTTP(w, r)
		})
	})
	te := newTestEnv(t)
	revoked := ts.login(t, te)

	logoutEnv := *te.Env
	logoutEnv.Out, logoutEnv.Err = &strings.Builder{}, &strings.Builder{}
	done := make(chan int, 1)
	go func() { done <- Run(t.Context(), []string{"logout"}, &logoutEnv) }()
	<-revoking // logout holds the lock and waits for the site

	tok := newTestEnv(t)
	tok.Env.ConfigDir = te.Env.ConfigDir
	code := tok.run(t, "token")
	if lc := <-done; lc != 0 {
		t.Fatalf("logout: exit %d: %s", lc, logoutEnv.Err)
	}
	if code != ExitNoSession || strings.Contains(tok.stdout.String(), revoked) {
		t.Fatalf("token during logout: exit %d, stdout %q; want exit 4 and no token\nstderr: %s", code, tok.stdout, tok.stderr)
	}
	if _, err := os.Stat(filepath.Join(sessionsDir(te.Env), "default.json")); !os.IsNotExist(err) {
		t.Fatalf("the session file came back after logout (%v)", err)
	}
	if code := tok.run(t, "token"); code != ExitNoSession {
		t.Fatalf("token after logout: exit %d; want 4", code)
	}
	if code := tok.run(t, "status"); code != ExitNoSession {
		t.Fatalf("status after logout: exit %d; want 4\n%s", code, tok.stdout)
	}
}
