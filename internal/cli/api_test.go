package cli

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/sim"
)

// The first sample account of the simulated site.
const (
	testAccount = "0015g0000000001AAA"
	newestAPI   = "/services/data/v" + "64.0"
)

// apiCounter counts what sfecho api asks the site: version lookups and the
// paths of every request (ts.Grants counts refreshes).
type apiCounter struct {
	versions atomic.Int64
	mu       sync.Mutex
	paths    []string
}

func (c *apiCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/services/data/") {
			c.versions.Add(1)
		}
		c.mu.Lock()
		c.paths = append(c.paths, r.Method+" "+r.URL.Path)
		c.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (c *apiCounter) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[len(c.paths)-1]
}

// apiSite starts a site with a counter, logs the test user in and runs
// sfecho token once, so that the opaque token's expiry is known (one
// introspection, as for any first use of a new session).
func apiSite(t *testing.T, mod func(*sim.Config)) (*testSite, *apiCounter, *testEnv) {
	t.Helper()
	cfg := defaultConfig()
	cfg.RotateRefreshTokens = true
	if mod != nil {
		mod(&cfg)
	}
	ac := &apiCounter{}
	ts := startSite(t, cfg, ac.wrap)
	te := newTestEnv(t)
	ts.login(t, te)
	if code := te.run(t, "token"); code != 0 {
		t.Fatalf("token: exit %d\n%s", code, te.stderr)
	}
	return ts, ac, te
}

func TestAPIGetCountsRequests(t *testing.T) {
	t.Parallel()
	ts, ac, te := apiSite(t, nil)
	before := ts.Requests()
	if code := te.run(t, "api", "sobjects/Account/"+testAccount); code != 0 {
		t.Fatalf("api: exit %d\n%s", code, te.stderr)
	}
	want := `{"attributes":{"type":"Account","url":"` + newestAPI + `/sobjects/Account/` + testAccount + `"},"Id":"` + testAccount + `","Name":"Edge Communications",`
	if !strings.HasPrefix(te.stdout.String(), want) || te.stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want the record's bytes unchanged and nothing on stderr", te.stdout, te.stderr)
	}
	if n := ts.Requests() - before; n != 2 || ac.versions.Load() != 1 {
		t.Errorf("first api call: %d requests, %d version lookups; want 2 (versions, the call), 1", n, ac.versions.Load())
	}
	if s := te.session(t, "default"); s.APIVersion != sim.NewestAPIVersion {
		t.Errorf("session remembers API version %q; want %s", s.APIVersion, sim.NewestAPIVersion)
	}
	// On a valid session with the version known: exactly one request.
	for range 2 {
		before = ts.Requests()
		if code := te.run(t, "api", "chatter/users/me"); code != 0 || !strings.Contains(te.stdout.String(), testUser) {
			t.Fatalf("api chatter/users/me: exit %d %s\n%s", code, te.stdout, te.stderr)
		}
		if n := ts.Requests() - before; n != 1 {
			t.Errorf("api on a valid session made %d requests; want 1", n)
		}
	}
	if ac.versions.Load() != 1 || ts.Grants("refresh_token") != 0 {
		t.Errorf("%d version lookups, %d refreshes; want 1, 0", ac.versions.Load(), ts.Grants("refresh_token"))
	}
}

func TestAPIPaths(t *testing.T) {
	t.Parallel()
	ts, ac, te := apiSite(t, func(c *sim.Config) { c.PathPrefix = "/shop" })
	origin := strings.TrimSuffix(ts.URL, "/shop")
	rec := "/services/data/v62.0/sobjects/Account/" + testAccount
	for _, tt := range []struct {
		args []string
		path string // what the site saw
	}{
		{[]string{rec}, "GET /shop" + rec},
		{[]string{"sobjects/Account/" + testAccount}, "GET /shop" + newestAPI + "/sobjects/Account/" + testAccount},
		{[]string{"--api-version", "v60.0", "sobjects/Account/" + testAccount}, "GET /shop/services/data/v60.0/sobjects/Account/" + testAccount},
		{[]string{ts.URL + rec}, "GET /shop" + rec},
		{[]string{"--instance", "sobjects/Account/" + testAccount}, "GET " + newestAPI + "/sobjects/Account/" + testAccount},
		{[]string{origin + rec}, "GET " + rec},
		{[]string{"/services/apexrest/orders/7?x=1"}, "GET /shop/services/apexrest/orders/7"},
	} {
		if code := te.run(t, append([]string{"api"}, tt.args...)...); code != 0 {
			t.Fatalf("api %v: exit %d\n%s", tt.args, code, te.stderr)
		}
		if got := ac.last(); got != tt.path {
			t.Errorf("api %v: the site saw %q; want %q", tt.args, got, tt.path)
		}
	}
	if !strings.Contains(te.stdout.String(), `"path":"/orders/7"`) {
		t.Errorf("apexrest: %s", te.stdout)
	}
	if ac.versions.Load() != 1 {
		t.Errorf("%d version lookups; want 1", ac.versions.Load())
	}
}

func TestAPIForeignHostRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	ts, _, te := apiSite(t, nil)
	u, _ := url.Parse(ts.URL)
	for _, target := range []string{
		"https://example.com/services/data/",
		"http://" + u.Hostname() + ":1/services/data/",
		"http://localhost:" + u.Port() + "/services/data/", // same server, another name
		"http://evil@" + u.Host + "/services/data/",
	} {
		before := ts.Requests()
		code := te.run(t, "api", target, "-v")
		if code != ExitUsage || ts.Requests() != before {
			t.Errorf("api %s: exit %d after %d requests; want %d before any", target, code, ts.Requests()-before, ExitUsage)
		}
		if !strings.Contains(te.stderr.String(), "the access token is sent only to "+u.Host) || strings.Contains(te.stderr.String(), "> GET") {
			t.Errorf("api %s: stderr %s", target, te.stderr)
		}
	}
}

func TestAPIWrites(t *testing.T) {
	t.Parallel()
	ts, ac, te := apiSite(t, nil)
	file := filepath.Join(t.TempDir(), "account.json")
	os.WriteFile(file, []byte(`{"Name":"From File","BillingCity":"Lyon"}`), 0o600)
	if code := te.run(t, "api", "sobjects/Account", "-d", "@"+file); code != 0 {
		t.Fatalf("-d @file: exit %d\n%s", code, te.stderr)
	}
	var created struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
	}
	if json.Unmarshal(te.stdout.Bytes(), &created) != nil || !created.Success || ac.last() != "POST /services/data/v64.0/sobjects/Account" {
		t.Fatalf("POST -d @file: %s (site saw %s)", te.stdout, ac.last())
	}
	te.stdin.Reset()
	te.stdin.WriteString(`{"Name":"From Stdin"}`)
	if code := te.run(t, "api", "sobjects/Account", "-d", "-"); code != 0 || !strings.Contains(te.stdout.String(), `"success":true`) {
		t.Fatalf("-d -: exit %d %s\n%s", code, te.stdout, te.stderr)
	}
	if code := te.run(t, "api", "-X", "patch", "sobjects/Account/"+created.ID, "-d", `{"Phone":"555-0100"}`); code != 0 ||
		te.stdout.Len() != 0 || ac.last() != "PATCH /services/data/v64.0/sobjects/Account/"+created.ID {
		t.Fatalf("PATCH: exit %d %q (site saw %s)\n%s", code, te.stdout, ac.last(), te.stderr)
	}
	if code := te.run(t, "api", "sobjects/Account/"+created.ID); code != 0 ||
		!strings.Contains(te.stdout.String(), `"Name":"From File","Type":null,"Industry":null,"BillingCity":"Lyon","Phone":"555-0100"`) {
		t.Errorf("after PATCH: exit %d %s", code, te.stdout)
	}
	_ = ts
}

func TestAPIQueryPaginate(t *testing.T) {
	t.Parallel()
	_, _, te := apiSite(t, func(c *sim.Config) { c.QueryBatchSize = 3 })
	q := "SELECT Id, Name FROM Account"
	if code := te.run(t, "api", "--query", q); code != 0 {
		t.Fatalf("--query: exit %d\n%s", code, te.stderr)
	}
	if !strings.Contains(te.stdout.String(), `"totalSize":7,"done":false,"nextRecordsUrl":"/services/data/v64.0/query/01g`) {
		t.Errorf("--query without --paginate: %s", te.stdout)
	}
	if code := te.run(t, "api", "--query", q, "--paginate"); code != 0 {
		t.Fatalf("--paginate: exit %d\n%s", code, te.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(te.stdout.String(), "\n"), "\n")
	ids := map[string]bool{}
	for _, l := range lines {
		var r struct {
			ID string `json:"Id"`
		}
		if json.Unmarshal([]byte(l), &r) != nil || r.ID == "" {
			t.Errorf("line %q is not a record", l)
		}
		ids[r.ID] = true
	}
	if len(lines) != 7 || len(ids) != 7 {
		t.Errorf("--paginate printed %d lines, %d distinct records; want 7", len(lines), len(ids))
	}
	if code := te.run(t, "api", "--query", q, "--paginate", "-o", "json"); code != 0 {
		t.Fatalf("--paginate -o json: exit %d\n%s", code, te.stderr)
	}
	var all []map[string]any
	if err := json.Unmarshal(te.stdout.Bytes(), &all); err != nil || len(all) != 7 || all[6]["Name"] == nil {
		t.Errorf("--paginate -o json: %v, %d records\n%s", err, len(all), te.stdout)
	}
}

func TestAPIExpiredTokenRefreshesOnceAndRetries(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64 // the site's clock runs ahead of sfecho's
	ts, _, te := apiSite(t, func(c *sim.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	old := te.session(t, "default").AccessToken
	skew.Store(int64(3 * time.Hour)) // the token expired at the site, sfecho still believes it valid
	before := ts.Requests()
	if code := te.run(t, "api", "--api-version", "62.0", "-X", "POST", "sobjects/Account", "-d", `{"Name":"Retried"}`); code != 0 {
		t.Fatalf("api with an expired token: exit %d\n%s", code, te.stderr)
	}
	if !strings.Contains(te.stdout.String(), `"success":true`) || te.stderr.Len() != 0 {
		t.Errorf("stdout %s, stderr %s", te.stdout, te.stderr)
	}
	if n := ts.Requests() - before; n != 3 || ts.Grants("refresh_token") != 1 {
		t.Errorf("%d requests, %d refreshes; want 3 (401, refresh, retry), 1", n, ts.Grants("refresh_token"))
	}
	if s := te.session(t, "default"); s.AccessToken == old || s.AccessToken == "" {
		t.Error("the refreshed token was not saved")
	}
	// Only one Account was created: the 401 did nothing.
	if code := te.run(t, "api", "--api-version", "62.0", "--query", "SELECT Id FROM Account WHERE Name = 'Retried'"); code != 0 ||
		!strings.Contains(te.stdout.String(), `"totalSize":1,`) {
		t.Errorf("query: exit %d %s", code, te.stdout)
	}
}

func TestAPIRevokedSession(t *testing.T) {
	t.Parallel()
	ts, _, te := apiSite(t, nil)
	// An admin revokes the session at the site; sfecho does not know.
	s := te.session(t, "default")
	resp, err := http.PostForm(ts.URL+"/services/oauth2/revoke", url.Values{"token": {s.RefreshToken}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke at the site: %v %v", resp, err)
	}
	resp.Body.Close()
	before := ts.Requests()
	code := te.run(t, "api", "--api-version", "62.0", "sobjects/Account/"+testAccount)
	if code != ExitNoSession {
		t.Fatalf("api on a revoked session: exit %d; want %d\n%s", code, ExitNoSession, te.stderr)
	}
	if n := ts.Requests() - before; n != 2 || ts.Grants("refresh_token") != 1 {
		t.Errorf("%d requests, %d refreshes; want 2 (401, refused refresh), 1", n, ts.Grants("refresh_token"))
	}
	if !strings.Contains(te.stdout.String(), "INVALID_SESSION_ID") || !strings.Contains(te.stderr.String(), "sfecho login") {
		t.Errorf("stdout %q, stderr %q; want the 401 body and advice to log in", te.stdout, te.stderr)
	}
	// From now on the session is known dead: no request at all.
	before = ts.Requests()
	if code := te.run(t, "api", "sobjects"); code != ExitNoSession || ts.Requests() != before {
		t.Errorf("api again: exit %d after %d requests; want %d before any", code, ts.Requests()-before, ExitNoSession)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	ts, _, te := apiSite(t, nil)
	missing := "0015g000999999AAAA"
	code := te.run(t, "api", "sobjects/Account/"+missing)
	if code != ExitError {
		t.Errorf("404: exit %d; want %d", code, ExitError)
	}
	if te.stdout.String() != `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]` {
		t.Errorf("404 stdout %q; want the body unchanged", te.stdout)
	}
	if te.stderr.String() != "sfecho: api: GET /services/data/v64.0/sobjects/Account/"+missing+
		": 404 Not Found: NOT_FOUND: The requested resource does not exist\n" {
		t.Errorf("404 stderr %q", te.stderr)
	}
	// Salesforce's query errors span lines; the error line does not.
	code = te.run(t, "api", "--query", "SELECT Id FRM Account")
	if code != ExitError || strings.Count(te.stderr.String(), "\n") != 1 ||
		!strings.Contains(te.stderr.String(), "400 Bad Request: MALFORMED_QUERY: SELECT Id FRM Account ^ ERROR at Row:1:Column:11 unexpected token: 'FRM'") {
		t.Errorf("400: exit %d, stderr %q", code, te.stderr)
	}
	ts.Fail(sim.EndpointData, sim.Failure{Status: 503, Body: `[{"message":"down for\u001b[2J maintenance","errorCode":"SERVER_UNAVAILABLE"}]`, Times: 1})
	code = te.run(t, "api", "sobjects")
	if code != ExitNetwork || !strings.Contains(te.stdout.String(), "SERVER_UNAVAILABLE") ||
		!strings.Contains(te.stderr.String(), "503 Service Unavailable: SERVER_UNAVAILABLE: down for\\x1b[2J maintenance") {
		t.Errorf("503: exit %d, stdout %q, stderr %q", code, te.stdout, te.stderr)
	}
}

func TestAPIOutput(t *testing.T) {
	t.Parallel()
	_, _, te := apiSite(t, nil)
	path := "sobjects/Account/" + testAccount
	te.run(t, "api", path)
	raw := te.stdout.String()
	if code := te.run(t, "api", path, "-o", "raw"); code != 0 || te.stdout.String() != raw || strings.Contains(raw, "\n") {
		t.Errorf("-o raw: %q; want the same compact bytes as on a pipe (%q)", te.stdout, raw)
	}
	te.OutTTY = true
	if code := te.run(t, "api", path); code != 0 || !strings.HasPrefix(te.stdout.String(), "{\n  \"attributes\": {\n") {
		t.Errorf("terminal: %q; want indented JSON", te.stdout)
	}
	te.OutTTY = false
	if code := te.run(t, "api", path, "-o", "json", "-i"); code != 0 || !strings.HasPrefix(te.stdout.String(), "HTTP/1.1 200 OK\n") ||
		!strings.Contains(te.stdout.String(), "\nContent-Type: application/json;charset=UTF-8\n") ||
		!strings.Contains(te.stdout.String(), "\n\n{\n  \"attributes\"") {
		t.Errorf("-o json -i: %q", te.stdout)
	}
}

func TestAPIUsage(t *testing.T) {
	t.Parallel()
	ts, _, te := apiSite(t, nil)
	for _, args := range [][]string{
		{"api"},
		{"api", "sobjects", "--query", "SELECT Id FROM Account"},
		{"api", "sobjects", "-H", "no colon"},
		{"api", "sobjects", "-H", "Authorization: Bearer x"},
		{"api", "sobjects", "-o", "yaml"},
		{"api", "sobjects", "-d", "@/nonexistent/file.json"},
		{"api", "sobjects", "-X", "GET /x"},
		{"api", "sobjects", "--api-version", "latest"},
		{"api", "a", "b"},
	} {
		before := ts.Requests()
		if code := te.run(t, args...); code != ExitUsage || ts.Requests() != before {
			t.Errorf("%v: exit %d after %d requests; want %d before any\n%s", args, code, ts.Requests()-before, ExitUsage, te.stderr)
		}
	}
	if code := te.run(t, "api", "sobjects", "--profile", "nobody"); code != ExitNoSession {
		t.Errorf("no session: exit %d; want %d", code, ExitNoSession)
	}
}
