package cli

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

// Test users and app of the simulated site.
const (
	testClient = "3MVG9test.client"
	testUser   = "alice@example.com"
	testPass   = "Alice-Passw0rd!"
)

// testEnv is an Env with buffers for the streams and a map environment.
type testEnv struct {
	*Env
	stdin          *bytes.Buffer
	stdout, stderr *bytes.Buffer
	vars           map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	te := &testEnv{stdin: &bytes.Buffer{}, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, vars: map[string]string{}}
	te.Env = &Env{
		In: te.stdin, Out: te.stdout, Err: te.stderr,
		Getenv:      func(k string) string { return te.vars[k] },
		Now:         time.Now,
		ConfigDir:   t.TempDir(),
		OpenBrowser: func(string) error { return nil },
	}
	return te
}

// run executes sfecho with args and returns the exit code.
func (te *testEnv) run(t *testing.T, args ...string) int {
	t.Helper()
	te.stdout.Reset()
	te.stderr.Reset()
	te.Env.stdin = nil
	te.Env.warnedInsecure = false
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Run(ctx, args, te.Env)
}

// testSite is a simulated site served over real HTTP (simtest), with the
// argument builders of these tests.
type testSite struct{ *simtest.Site }

func defaultConfig() sim.Config {
	return sim.Config{
		ClientID: testClient,
		Users:    []sim.User{{Username: testUser, Password: testPass, Email: testUser, FirstName: "Alice", LastName: "Example"}},
	}
}

// startSite serves cfg; wrap, when set, stands between client and site.
func startSite(t *testing.T, cfg sim.Config, wrap func(http.Handler) http.Handler, opts ...simtest.Option) *testSite {
	t.Helper()
	return &testSite{simtest.Start(t, cfg, append(opts, simtest.Wrap(wrap))...)}
}

// loginArgs are the flags for a password login against ts.
func (ts *testSite) loginArgs(extra ...string) []string {
	return append([]string{"login", "--site", ts.URL, "--client-id", testClient,
		"--username", testUser, "--password-stdin", "--no-store"}, extra...)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
