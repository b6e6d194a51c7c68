package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sfecho/sfecho/internal/flow"
)

// fakeTokens hands out tok, and next after a refresh.
type fakeTokens struct {
	tok, next          string
	tokens, refreshes  atomic.Int64
	tokenErr, refreshE error
}

func (f *fakeTokens) Token(context.Context) (string, error) {
	f.tokens.Add(1)
	return f.tok, f.tokenErr
}

func (f *fakeTokens) Refresh(context.Context) (string, error) {
	f.refreshes.Add(1)
	if f.refreshE != nil {
		return "", f.refreshE
	}
	f.tok = f.next
	return f.tok, nil
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// server serves h and returns a client whose community URL is the server
// (with prefix), and a request counter.
func server(t *testing.T, prefix string, h http.HandlerFunc) (*Client, *fakeTokens, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	tk := &fakeTokens{tok: "TOK-1", next: "TOK-2"}
	return &Client{HTTP: srv.Client(), Tokens: tk, Community: mustURL(t, srv.URL+prefix), Version: "62.0"}, tk, &n
}

func kind(err error) flow.Kind { return flow.KindOf(err) }

func TestResolve(t *testing.T) {
	t.Parallel()
	c := &Client{Community: mustURL(t, "https://acme.my.site.com/shop"),
		Instance: mustURL(t, "https://acme.my.salesforce.com"), Version: "62.0"}
	for _, tt := range []struct {
		path     string
		instance bool
		want     string
	}{
		{"/services/data/v62.0/sobjects", false, "https://acme.my.site.com/shop/services/data/v62.0/sobjects"},
		{"/services/apexrest/orders?id=1", false, "https://acme.my.site.com/shop/services/apexrest/orders?id=1"},
		{"/shop/services/data/v62.0/query/01g-2000", false, "https://acme.my.site.com/shop/services/data/v62.0/query/01g-2000"},
		{"sobjects/Account", false, "https://acme.my.site.com/shop/services/data/v62.0/sobjects/Account"},
		{"query?q=SELECT Id FROM Account", false, "https://acme.my.site.com/shop/services/data/v62.0/query?q=SELECT%20Id%20FROM%20Account"},
		{QueryPath("SELECT Id FROM Account"), false, "https://acme.my.site.com/shop/services/data/v62.0/query?q=SELECT+Id+FROM+Account"},
		{"sobjects", true, "https://acme.my.salesforce.com/services/data/v62.0/sobjects"},
		{"/services/data/", true, "https://acme.my.salesforce.com/services/data/"},
		{"https://acme.my.salesforce.com/services/data/", false, "https://acme.my.salesforce.com/services/data/"},
		{"HTTPS://ACME.my.site.com:443/shop/x", false, "https://ACME.my.site.com:443/shop/x"},
		{"//evil.example/x", false, "https://acme.my.site.com/shop//evil.example/x"},
	} {
		u, _, err := c.resolve(t.Context(), &Request{Path: tt.path, Instance: tt.instance})
		if err != nil || u.String() != tt.want {
			t.Errorf("resolve(%q, instance=%v) = %v, %v; want %s", tt.path, tt.instance, u, err, tt.want)
		}
	}
	for _, p := range []string{
		"https://evil.example/services/data/", "http://acme.my.site.com/x", "https://user@acme.my.site.com/x",
		"https://acme.my.site.com.evil.example/", "https://acme.my.site.com:8443/", "https://evil.example\\@acme.my.site.com/",
	} {
		_, _, err := c.resolve(t.Context(), &Request{Path: p})
		if kind(err) != flow.KindUsage || !strings.Contains(err.Error(), "only to acme.my.site.com and acme.my.salesforce.com") {
			t.Errorf("resolve(%q) = %v; want a usage error naming the two hosts", p, err)
		}
	}
	if _, _, err := (&Client{Community: c.Community}).resolve(t.Context(), &Request{Path: "/x", Instance: true}); kind(err) != flow.KindUsage {
		t.Errorf("--instance without an instance URL: %v; want a usage error", err)
	}
}

func TestForeignHostRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	c, tk, n := server(t, "", func(w http.ResponseWriter, r *http.Request) {})
	c.Version = ""
	for _, p := range []string{"https://example.com/services/data/", "http://localhost:1/x"} {
		resp, err := c.Do(t.Context(), &Request{Path: p, Body: []byte(`{}`)})
		if resp != nil || kind(err) != flow.KindUsage {
			t.Errorf("Do(%q) = %v, %v; want a usage error", p, resp, err)
		}
	}
	if n.Load() != 0 || tk.tokens.Load() != 0 {
		t.Errorf("%d requests, %d tokens asked for; want none", n.Load(), tk.tokens.Load())
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"62.0": "62.0", "v62.0": "62.0", "62": "62.0", " 58.0 ": "58.0"} {
		if got, err := ParseVersion(in); got != want || err != nil {
			t.Errorf("ParseVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "62.0.1", "v", "62.00", "../62.0"} {
		if _, err := ParseVersion(in); kind(err) != flow.KindUsage {
			t.Errorf("ParseVersion(%q) = %v; want a usage error", in, err)
		}
	}
	list := `[{"version":"9.0"},{"version":"64.0"},{"version":"58.0"},{"version":"bogus"},{"version":"100.0"}]`
	if got := newest([]byte(list)); got != "100.0" {
		t.Errorf("newest = %q; want 100.0 (compared as numbers)", got)
	}
	if got := newest([]byte(`{"x":1}`)); got != "" {
		t.Errorf("newest of an object = %q; want none", got)
	}
}

func TestMethodHeadersAndBody(t *testing.T) {
	t.Parallel()
	var got []string
	c, _, _ := server(t, "/shop", func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		got = append(got, strings.Join([]string{r.Method, r.URL.Path, r.Header.Get("Authorization"),
			r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("X-Extra"), string(b[:n])}, "|"))
		w.WriteHeader(http.StatusNoContent)
	})
	reqs := []*Request{
		{Path: "sobjects"},
		{Path: "sobjects/Account", Body: []byte(`{"Name":"x"}`)},
		{Method: "patch", Path: "/services/data/v62.0/sobjects/Account/1", Body: []byte(`{}`),
			Header: http.Header{"X-Extra": {"1"}, "Content-Type": {"application/json; charset=UTF-8"}}},
	}
	for _, r := range reqs {
		resp, err := c.Do(t.Context(), r)
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("Do(%+v) = %v, %v", r, resp, err)
		}
	}
	want := []string{
		"GET|/shop/services/data/v62.0/sobjects|Bearer TOK-1|application/json|||",
		`POST|/shop/services/data/v62.0/sobjects/Account|Bearer TOK-1|application/json|application/json||{"Name":"x"}`,
		`PATCH|/shop/services/data/v62.0/sobjects/Account/1|Bearer TOK-1|application/json|application/json; charset=UTF-8|1|{}`,
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("request %d = %q; want %q", i, got, want[i])
		}
	}
}

func TestVersionDiscoveredOnce(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	c, tk, n := server(t, "", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/data/" {
			lookups.Add(1)
			if r.Header.Get("Authorization") != "" {
				t.Error("the version list was asked for with the token")
			}
			w.Write([]byte(`[{"label":"Winter '25","url":"/services/data/v62.0","version":"62.0"},{"label":"Spring '25","url":"/services/data/v63.0","version":"63.0"}]`))
			return
		}
		w.Write([]byte(r.URL.Path))
	})
	c.Version = ""
	var remembered []string
	c.Remember = func(_ context.Context, v string) { remembered = append(remembered, v) }
	for range 2 {
		resp, err := c.Do(t.Context(), &Request{Path: "limits"})
		if err != nil || string(resp.Body) != "/services/data/v63.0/limits" {
			t.Fatalf("Do = %v, %v; want the newest version's path", resp, err)
		}
	}
	if lookups.Load() != 1 || n.Load() != 3 || len(remembered) != 1 || remembered[0] != "63.0" || tk.tokens.Load() != 2 {
		t.Errorf("%d lookups, %d requests, remembered %v, %d tokens; want 1, 3, [63.0], 2",
			lookups.Load(), n.Load(), remembered, tk.tokens.Load())
	}
	// A path starting with / needs no version.
	c2, _, n2 := server(t, "", func(w http.ResponseWriter, r *http.Request) {})
	c2.Version = ""
	if _, err := c2.Do(t.Context(), &Request{Path: "/services/apexrest/x"}); err != nil || n2.Load() != 1 {
		t.Errorf("absolute path: %v, %d requests; want 1", err, n2.Load())
	}
	// A failed lookup says how to do without it.
	c3, _, _ := server(t, "", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	c3.Version = ""
	if _, err := c3.Do(t.Context(), &Request{Path: "limits"}); kind(err) != flow.KindUnexpected ||
		!strings.Contains(err.Error(), "API versions") || !strings.Contains(flow.AdviceOf(err), "--api-version") {
		t.Errorf("failed lookup: %v (%s)", err, flow.AdviceOf(err))
	}
}

func TestUnauthorizedRefreshesOnceAndRetriesOnce(t *testing.T) {
	t.Parallel()
	var auths []string
	c, tk, n := server(t, "", func(w http.ResponseWriter, r *http.Request) {
		auths = append(auths, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") != "Bearer TOK-2" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	})
	resp, err := c.Do(t.Context(), &Request{Method: "PATCH", Path: "/x", Body: []byte(`{"a":1}`)})
	if err != nil || string(resp.Body) != `{"ok":true}` || n.Load() != 2 || tk.refreshes.Load() != 1 {
		t.Fatalf("Do = %v, %v after %d requests, %d refreshes; want success after 2, 1", resp, err, n.Load(), tk.refreshes.Load())
	}
	if auths[0] != "Bearer TOK-1" || auths[1] != "Bearer TOK-2" {
		t.Errorf("tokens sent %v", auths)
	}
	// Still refused after the refresh: no second refresh, exit 4.
	tk.tok, tk.next = "TOK-1", "TOK-3"
	n.Store(0)
	resp, err = c.Do(t.Context(), &Request{Path: "/x"})
	if kind(err) != flow.KindNoSession || resp == nil || resp.StatusCode != 401 || n.Load() != 2 || tk.refreshes.Load() != 2 {
		t.Errorf("persistent 401: %v, %d requests, %d refreshes; want KindNoSession after 2 requests", err, n.Load(), tk.refreshes.Load())
	}
	if !strings.Contains(err.Error(), "401 Unauthorized: INVALID_SESSION_ID: Session expired or invalid") || flow.AdviceOf(err) == "" {
		t.Errorf("error %q / %q", err, flow.AdviceOf(err))
	}
	// A refresh that fails is returned as is, with the 401 answer.
	dead := errors.New("the session was revoked")
	tk.tok, tk.refreshE = "TOK-1", dead
	n.Store(0)
	resp, err = c.Do(t.Context(), &Request{Path: "/x"})
	if !errors.Is(err, dead) || resp == nil || resp.StatusCode != 401 || n.Load() != 1 {
		t.Errorf("failed refresh: %v, %v, %d requests; want the refresh error with the 401 after 1", resp, err, n.Load())
	}
	// A token source that fails stops everything before a request.
	tk.tokenErr = dead
	n.Store(0)
	if _, err = c.Do(t.Context(), &Request{Path: "/x"}); !errors.Is(err, dead) || n.Load() != 0 {
		t.Errorf("failed token: %v, %d requests", err, n.Load())
	}
}

func TestErrorLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status      int
		ctype, body string
		kind        flow.Kind
		want        string
	}{
		{404, "application/json", `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`,
			flow.KindUnexpected, "api: GET /x: 404 Not Found: NOT_FOUND: The requested resource does not exist"},
		{400, "application/json", `[{"message":"\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FRM'","errorCode":"MALFORMED_QUERY"},` +
			`{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]}]`,
			flow.KindUnexpected, "api: GET /x: 400 Bad Request: MALFORMED_QUERY: SELECT Id FRM Account ^ ERROR at Row:1:Column:11 unexpected token: 'FRM'; " +
				"REQUIRED_FIELD_MISSING: Required fields are missing: [Name] (fields: Name)"},
		{403, "application/json", `{"error":"insufficient_scope","error_description":"need \u001b[31mapi"}`,
			flow.KindUnexpected, "api: GET /x: 403 Forbidden: insufficient_scope: need \\x1b[31mapi"},
		{403, "text/plain", "Bad_OAuth_Token", flow.KindUnexpected, "api: GET /x: 403 Forbidden: Bad_OAuth_Token"},
		{503, "application/json", `[{"errorCode":"SERVER_UNAVAILABLE","message":"try later"}]`, flow.KindNetwork,
			"api: GET /x: 503 Service Unavailable: SERVER_UNAVAILABLE: try later"},
		{500, "text/html", "<html>oops</html>", flow.KindNetwork, "api: GET /x: 500 Internal Server Error (17 bytes of text/html)"},
		{302, "", "", flow.KindUnexpected, "api: GET /x: 302 Found"},
	}
	for _, tc := range cases {
		c, _, _ := server(t, "", func(w http.ResponseWriter, r *http.Request) {
			if tc.ctype != "" {
				w.Header().Set("Content-Type", tc.ctype)
			}
			if tc.status == 302 {
				w.Header().Set("Location", "https://evil.example/")
			}
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		})
		resp, err := c.Do(t.Context(), &Request{Path: "/x"})
		if resp == nil || string(resp.Body) != tc.body || kind(err) != tc.kind || err.Error() != tc.want {
			t.Errorf("%d: resp %v, err %q (kind %v); want body kept, %q (kind %v)", tc.status, resp, err, kind(err), tc.want, tc.kind)
		}
	}
	var many strings.Builder
	many.WriteString("[")
	for i := range 25 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"errorCode":"E","message":"m"}`)
	}
	many.WriteString("]")
	c, _, _ := server(t, "", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(400); w.Write([]byte(many.String())) })
	_, err := c.Do(t.Context(), &Request{Path: "/x"})
	if err == nil || strings.Count(err.Error(), "E: m") != maxEntries || !strings.HasSuffix(err.Error(), "; and 5 more") {
		t.Errorf("25 entries: %v", err)
	}
}

func TestNetworkError(t *testing.T) {
	t.Parallel()
	c, _, _ := server(t, "", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c.Community = mustURL(t, srv.URL)
	_, err := c.Do(t.Context(), &Request{Path: "/x?secret=1"})
	if kind(err) != flow.KindNetwork || strings.Contains(err.Error(), "secret") {
		t.Errorf("closed server: %v; want a network error without the query", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Do(ctx, &Request{Path: "/x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v; want context.Canceled", err)
	}
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	pages := map[string]string{
		"/shop/services/data/v62.0/query":                `{"totalSize":5,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01gA-2","records":[{"n":1},{"n":2}]}`,
		"/shop/services/data/v62.0/query/01gA-2":         `{"totalSize":5,"done":false,"nextRecordsUrl":"/shop/services/data/v62.0/query/01gA-4","records":[{"n":3},{"n":4}]}`,
		"/shop/services/data/v62.0/query/01gA-4":         `{"totalSize":5,"done":true,"records":[{"n":5}]}`,
		"/shop/services/data/v62.0/query/loop":           `{"done":false,"nextRecordsUrl":"/services/data/v62.0/query/loop","records":[]}`,
		"/shop/services/data/v62.0/query/away":           `{"done":false,"nextRecordsUrl":"https://evil.example/services/data/v62.0/query/x","records":[{"n":1}]}`,
		"/shop/services/data/v62.0/sobjects/Account/001": `{"Name":"x"}`,
	}
	c, _, n := server(t, "/shop", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.Header.Get("Content-Type") != "" && r.URL.Path != "/shop/services/data/v62.0/query" {
			t.Errorf("page request %s %s with Content-Type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if b, ok := pages[r.URL.Path]; ok {
			w.Write([]byte(b))
			return
		}
		w.WriteHeader(404)
		w.Write([]byte(`[{"errorCode":"NOT_FOUND","message":"no"}]`))
	})
	collect := func(path string) ([]string, error) {
		var recs []string
		_, err := c.Paginate(t.Context(), &Request{Path: path}, func(r *Response) error {
			rs, _, ok := Records(r.Body)
			if !ok {
				recs = append(recs, string(r.Body))
			}
			for _, x := range rs {
				recs = append(recs, string(x))
			}
			return nil
		})
		return recs, err
	}
	recs, err := collect(QueryPath("SELECT Id FROM Account"))
	if err != nil || strings.Join(recs, "") != `{"n":1}{"n":2}{"n":3}{"n":4}{"n":5}` || n.Load() != 3 {
		t.Errorf("paginate: %v, %v after %d requests", recs, err, n.Load())
	}
	if recs, err := collect("sobjects/Account/001"); err != nil || len(recs) != 1 || recs[0] != `{"Name":"x"}` {
		t.Errorf("not a query: %v, %v", recs, err)
	}
	if _, err := collect("query/loop"); kind(err) != flow.KindUnexpected || !strings.Contains(err.Error(), "twice") {
		t.Errorf("loop: %v", err)
	}
	n.Store(0)
	if recs, err := collect("query/away"); kind(err) != flow.KindSecurity || len(recs) != 1 || n.Load() != 1 {
		t.Errorf("foreign nextRecordsUrl: %v, %v after %d requests; want KindSecurity after the first page", recs, err, n.Load())
	}
	resp, err := c.Paginate(t.Context(), &Request{Path: "query/missing"}, func(*Response) error {
		t.Error("page called for a failed answer")
		return nil
	})
	if kind(err) != flow.KindUnexpected || resp == nil || resp.StatusCode != 404 {
		t.Errorf("failed first page: %v, %v", resp, err)
	}
}
