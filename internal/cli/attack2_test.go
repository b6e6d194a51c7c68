package cli

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/store"
)

// Found by the second attack on the built binary; each test is one
// finding, fixed.

// A failure on a later page of --paginate is the failure's exit code, not
// exit 0 (nor a panic).
func TestPaginateLaterPageFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   int
	}{{503, ExitNetwork}, {404, ExitError}} {
		cfg := defaultConfig()
		cfg.QueryBatchSize = 2
		ts := startSite(t, cfg, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Path, "/query/") { // the second page and later
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tc.status)
					w.Write([]byte(`[{"message":"page gone","errorCode":"X"}]`))
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		te := newTestEnv(t)
		ts.login(t, te)
		if code := te.run(t, "api", "--query", "SELECT Id FROM Account LIMIT 5", "--paginate", "-o", "json"); code != tc.want {
			t.Errorf("page 2 answers %d: exit %d; want %d\n%s", tc.status, code, tc.want, te.stderr)
		}
	}
}

// -d @FIFO is refused at once, not waited on.
func TestAPIDataFromFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here")
	}
	_, _, te := apiSite(t, nil)
	if code := te.run(t, "api", "sobjects/Account", "-d", "@"+fifo); code != ExitUsage {
		t.Errorf("-d @fifo: exit %d\n%s", code, te.stderr)
	}
}

// api -o json and -o text mask the run's secrets and escape what the site
// sends; -H with CR or LF is exit 2 before anything is sent.
func TestAPIOutputIsSafe(t *testing.T) {
	t.Parallel()
	ts, _, te := apiSite(t, nil)
	at := te.session(t, "default").AccessToken
	ts.Fail(sim.EndpointApexREST, sim.Failure{Status: 200, Body: "token " + at + " \x1b]0;pwned\x07 \u202e end", ContentType: "text/plain"})
	for _, f := range []string{"json", "text"} {
		if code := te.run(t, "api", "/services/apexrest/x", "-o", f, "-i"); code != 0 {
			t.Fatalf("-o %s: exit %d\n%s", f, code, te.stderr)
		}
		out := te.stdout.String()
		if strings.Contains(out, at) || strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("-o %s printed the token or a raw control character:\n%q", f, out)
		}
	}
	before := ts.Requests()
	for _, h := range []string{"X-A: b\r\nX-Injected: 1", "X-A: b\nc", "X\r-A: b"} {
		if code := te.run(t, "api", "sobjects", "-H", h); code != ExitUsage {
			t.Errorf("-H %q: exit %d; want 2", h, code)
		}
	}
	if n := ts.Requests() - before; n != 0 {
		t.Errorf("%d requests sent for bad -H values", n)
	}
}

// status -o json writes a saved session's odd characters as JSON escapes.
func TestStatusJSONEscapes(t *testing.T) {
	t.Parallel()
	ts := sessionSite(t, nil)
	te := newTestEnv(t)
	ts.login(t, te)
	st := store.NewFile(sessionsDir(te.Env))
	s, err := st.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	s.Username = "al\u202eice\u009b\u0085@example.com"
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status", "-o", "json"}, {"status", "--all", "-o", "json"}} {
		te.run(t, args...)
		if strings.ContainsAny(te.stdout.String(), "\u202e\u009b\u0085") || !strings.Contains(te.stdout.String(), `al\u202eice`) {
			t.Errorf("%v: %q", args, te.stdout)
		}
	}
}

// What libraries log (net/http's "Unsolicited response …", quoting what
// the site sent) is masked and escaped like every warning.
func TestLibraryLogMasked(t *testing.T) {
	var errBuf bytes.Buffer
	env := &Env{Err: &errBuf}
	env.secrets().Add("CANARY-PW-123")
	libraryLog{env}.Write([]byte(`Unsolicited response received on idle HTTP channel starting with "pw=CANARY-PW-123 \x1b[2J"; err=<nil>` + "\n"))
	if out := errBuf.String(); strings.Contains(out, "CANARY-PW-123") || strings.Contains(out, "\x1b") || !strings.HasPrefix(out, "sfecho: warning: ") {
		t.Errorf("library log line: %q", out)
	}
}

// sim --prefix takes a path, not control characters.
func TestSimPrefixShape(t *testing.T) {
	te := newTestEnv(t)
	if code := te.run(t, "sim", "--prefix", "/a\x1b[31mb"); code != ExitUsage || strings.Contains(te.stderr.String(), "\x1b") {
		t.Errorf("exit %d; stderr %q", code, te.stderr)
	}
}

// Every secret given in a file or the environment — the client secret, an
// integration token, a guest's JWT — is masked when a site repeats it.
func TestFileAndEnvSecretsMasked(t *testing.T) {
	t.Parallel()
	const jwt, itok = "eyJCANARY.guest-jwt.sig", "CANARY-integration-token"
	ts := startSite(t, flowsConfig(), nil)
	ts.Fail(sim.EndpointAny, sim.Failure{Status: 400,
		Body: `{"error":"invalid_request","error_description":"you sent ` + jwt + ` and ` + itok + `"}`})
	te := newTestEnv(t)
	te.vars["SFECHO_UVID_TOKEN"] = jwt
	te.vars["SFECHO_INIT_TOKEN"] = itok
	te.stdin.WriteString(testPass + "\n")
	for _, args := range [][]string{ts.loginArgs(), ts.pwlArgs("--username", testUser)} {
		te.run(t, append(args, "-v", "-o", "json")...)
		if out := te.stdout.String() + te.stderr.String(); strings.Contains(out, "CANARY") {
			t.Errorf("%v printed a secret:\n%s", args[:2], out)
		}
	}
}
