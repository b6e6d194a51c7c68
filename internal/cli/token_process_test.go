package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/store"
)

// Environment of a child process started by runSfechoProcesses.
const (
	childMainEnv = "SFECHO_TEST_MAIN"       // "1": act as the sfecho binary
	childArgsEnv = "SFECHO_TEST_ARGS"       // JSON array of arguments
	childDirEnv  = "SFECHO_TEST_CONFIG_DIR" // Env.ConfigDir
)

// TestSfechoProcess is not a test: re-executed with SFECHO_TEST_MAIN=1, the
// test binary acts as the sfecho command (what cmd/sfecho/main.go does),
// with its config directory from the environment. This gives the
// cross-process tests real processes without building the binary.
func TestSfechoProcess(t *testing.T) {
	if os.Getenv(childMainEnv) != "1" {
		t.Skip("child process only")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgsEnv)), &args); err != nil {
		os.Exit(99)
	}
	env := System("test", "")
	env.ConfigDir = os.Getenv(childDirEnv)
	os.Exit(Run(context.Background(), args, env))
}

// childResult is one finished child process.
type childResult struct {
	code           int
	stdout, stderr string
}

// runSfechoProcesses starts n sfecho processes with args at once and waits
// for all of them.
func runSfechoProcesses(t *testing.T, n int, dir string, args ...string) []childResult {
	t.Helper()
	argsJSON, _ := json.Marshal(args)
	environ := []string{childMainEnv + "=1", childArgsEnv + "=" + string(argsJSON), childDirEnv + "=" + dir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SFECHO_") {
			environ = append(environ, kv)
		}
	}
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, 2*n)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestSfechoProcess$")
		cmds[i].Env = environ
		outs[2*i], outs[2*i+1] = &bytes.Buffer{}, &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[2*i], outs[2*i+1]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	res := make([]childResult, n)
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Go(func() {
			_ = c.Wait()
			res[i] = childResult{c.ProcessState.ExitCode(), outs[2*i].String(), outs[2*i+1].String()}
		})
	}
	wg.Wait()
	return res
}

// TestTokenConcurrentProcessesRotation is the acceptance test of concurrent refreshes: 20
// processes run `sfecho token` at once on an expired session whose refresh
// tokens are single-use. Exactly one refresh may reach the site (a second
// one would present a rotated token and revoke the whole family), every
// process must print the same valid token, and the saved session must hold
// the live refresh token afterwards.
func TestTokenConcurrentProcessesRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	old := ts.login(t, te)
	st := store.NewFile(sessionsDir(te.Env))
	s := te.session(t, "default")
	oldRT := s.RefreshToken
	s.Expiry, s.ExpirySource = time.Now().Add(-time.Minute), "introspect"
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	// A slow token endpoint keeps the refresh in flight while the others
	// pile up behind the lock.
	ts.Fail(sim.EndpointToken, sim.Failure{Delay: 300 * time.Millisecond})

	res := runSfechoProcesses(t, 20, te.Env.ConfigDir, "token")

	var tokens []string
	for i, r := range res {
		if r.code != 0 || r.stderr != "" {
			t.Errorf("process %d: exit %d, stderr:\n%s", i, r.code, r.stderr)
		}
		tokens = append(tokens, strings.TrimSuffix(r.stdout, "\n"))
	}
	if n := ts.Grants("refresh_token"); n != 1 {
		t.Fatalf("%d refreshes reached the site; want exactly 1", n)
	}
	for i, tok := range tokens {
		if tok != tokens[0] || tok == "" || tok == old {
			t.Errorf("process %d printed %.12q...; want the one refreshed token %.12q...", i, tok, tokens[0])
		}
	}
	ts.ClearFailures()
	saved := te.session(t, "default")
	if saved.AccessToken != tokens[0] || saved.RefreshToken == oldRT {
		t.Errorf("saved session: access token matches=%v, refresh token rotated=%v; want both",
			saved.AccessToken == tokens[0], saved.RefreshToken != oldRT)
	}
	c := &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, ClientID: testClient}
	c.Site, _ = flow.ParseSite(ts.URL)
	if _, err := c.Userinfo(t.Context(), "", tokens[0]); err != nil {
		t.Errorf("the printed token does not work at the site: %v", err)
	}
	if _, err := c.Refresh(t.Context(), "", saved.RefreshToken); err != nil {
		t.Errorf("the saved refresh token is not the live one (session lost): %v", err)
	}
}
