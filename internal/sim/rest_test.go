package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rest sends a REST request with an optional bearer token and JSON body and
// returns the status and body.
func (e *env) rest(method, path, tok, body string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// wantREST checks a status and, for errors, the first errorCode of the
// REST error array.
func wantREST(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d; want %d; body %s", status, wantStatus, body)
	}
	if wantCode == "" {
		return
	}
	var errs []map[string]any
	if err := json.Unmarshal(body, &errs); err != nil || len(errs) != 1 || errs[0]["errorCode"] != wantCode || errs[0]["message"] == "" {
		t.Errorf("body %s; want one error with errorCode %s and a message", body, wantCode)
	}
}

const v = "/services/data/v" + "62.0"

func TestRESTVersionsNeedNoSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	st, b := e.rest("GET", "/services/data/", "", "")
	wantREST(t, st, b, 200, "")
	var vs []APIVersion
	if err := json.Unmarshal(b, &vs); err != nil || len(vs) < 2 {
		t.Fatalf("versions %s: %v", b, err)
	}
	last := vs[len(vs)-1]
	if last.Version != NewestAPIVersion || last.URL != "/services/data/v"+NewestAPIVersion || last.Label == "" {
		t.Errorf("newest version %+v; want %s with url and label", last, NewestAPIVersion)
	}
	st, b = e.rest("POST", "/services/data/", "", "{}")
	wantREST(t, st, b, 405, "METHOD_NOT_ALLOWED")
}

func TestRESTSession(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := baseConfig()
	cfg.Now = clk.Now
	e := newEnv(t, cfg)
	tok := e.tokens()["access_token"].(string)
	for _, bad := range []string{"", "00Dbogus!token"} {
		st, b := e.rest("GET", v+"/", bad, "")
		wantREST(t, st, b, 401, "INVALID_SESSION_ID")
	}
	st, b := e.rest("GET", v+"/", tok, "")
	wantREST(t, st, b, 200, "")
	if !strings.Contains(string(b), `"query":"/services/data/v62.0/query"`) {
		t.Errorf("resources %s lack query", b)
	}
	st, b = e.rest("GET", "/services/data/v12.0/", tok, "")
	wantREST(t, st, b, 404, "NOT_FOUND")
	st, b = e.rest("GET", v+"/nothing/here", tok, "")
	wantREST(t, st, b, 404, "NOT_FOUND")
	st, b = e.rest("GET", v+"/chatter/users/me", tok, "")
	wantREST(t, st, b, 200, "")
	if !strings.Contains(string(b), `"username":"`+testUser+`"`) {
		t.Errorf("chatter/users/me %s lacks the user", b)
	}
	clk.Add(3 * time.Hour) // past the 2h session
	st, b = e.rest("GET", v+"/", tok, "")
	wantREST(t, st, b, 401, "INVALID_SESSION_ID")

	tok = e.tokens()["access_token"].(string)
	e.do("POST", "/services/oauth2/revoke", url.Values{"token": {tok}}, nil)
	st, b = e.rest("GET", v+"/", tok, "")
	wantREST(t, st, b, 401, "INVALID_SESSION_ID")
}

func TestRESTSessionNeedsAPIScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	resp := e.exchange(codeFrom(t, e.authorize(with(e.authForm(), "scope", "openid"), named(testUser, testPass))), nil)
	tok := decode(t, resp, 200)["access_token"].(string)
	st, b := e.rest("GET", v+"/", tok, "")
	wantREST(t, st, b, 401, "INVALID_SESSION_ID")
	if !strings.Contains(string(b), "not valid for use with the REST API") {
		t.Errorf("body %s; want the REST API message", b)
	}
}

var nextURL = regexp.MustCompile(`^/services/data/v62\.0/query/01g[0-9A-Za-z]{15}-[0-9]+$`)

func TestRESTQueryPaging(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.QueryBatchSize = 3
	e := newEnv(t, cfg)
	tok := e.tokens()["access_token"].(string)
	path := v + "/query?q=" + url.QueryEscape("select id, NAME from account")
	seen := map[string]bool{}
	var last string
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		st, b := e.rest("GET", path, tok, "")
		wantREST(t, st, b, 200, "")
		var res struct {
			TotalSize      int               `json:"totalSize"`
			Done           bool              `json:"done"`
			NextRecordsURL string            `json:"nextRecordsUrl"`
			Records        []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if res.TotalSize != 7 || len(res.Records) == 0 || len(res.Records) > 3 {
			t.Errorf("page %d: totalSize %d, %d records; want 7, 1..3", pages, res.TotalSize, len(res.Records))
		}
		for _, r := range res.Records {
			if !strings.HasPrefix(string(r), `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001`) ||
				!strings.Contains(string(r), `,"Id":"001`) || !strings.Contains(string(r), `,"Name":"`) {
				t.Errorf("record %s: want attributes first, then Id and Name as canonical names", r)
			}
			seen[string(r)] = true
		}
		if res.Done != (res.NextRecordsURL == "") || (!res.Done && !nextURL.MatchString(res.NextRecordsURL)) {
			t.Errorf("page %d: done %v, nextRecordsUrl %q", pages, res.Done, res.NextRecordsURL)
		}
		last, path = path, res.NextRecordsURL
	}
	if len(seen) != 7 {
		t.Errorf("%d distinct records over all pages; want 7", len(seen))
	}
	st, b := e.rest("GET", last, tok, "")
	wantREST(t, st, b, 400, "INVALID_QUERY_LOCATOR")
}

func TestRESTQueryClauses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	tok := e.tokens()["access_token"].(string)
	get := func(q string) (int, []byte) {
		return e.rest("GET", v+"/query?q="+url.QueryEscape(q), tok, "")
	}
	st, b := get("SELECT Name FROM Account WHERE Industry = 'energy'")
	wantREST(t, st, b, 200, "")
	if !strings.Contains(string(b), `"totalSize":1,"done":true,"records":[{"attributes"`) || !strings.Contains(string(b), `"Name":"United Oil & Gas Corp."`) {
		t.Errorf("WHERE: %s", b)
	}
	st, b = get("SELECT Name FROM Account ORDER BY Name DESC LIMIT 2")
	wantREST(t, st, b, 200, "")
	if !strings.Contains(string(b), `"totalSize":2`) || strings.Index(string(b), "United") > strings.Index(string(b), "Pyramid") {
		t.Errorf("ORDER BY DESC LIMIT 2: %s", b)
	}
	for q, code := range map[string]string{
		"SELECT Id FRM Account":                  "MALFORMED_QUERY",
		"SELECT Id FROM Account LIMIT x":         "MALFORMED_QUERY",
		"SELECT Id, Id FROM Account":             "MALFORMED_QUERY",
		"SELECT Id FROM Account WHERE Name = 'x": "MALFORMED_QUERY",
		"SELECT Bogus FROM Account":              "INVALID_FIELD",
		"SELECT Id FROM Contact":                 "INVALID_TYPE",
	} {
		st, b := get(q)
		wantREST(t, st, b, 400, code)
		if code != "" && !strings.Contains(string(b), `\nERROR at Row:1:Column:`) {
			t.Errorf("%q: %s; want Salesforce's multi-line message", q, b)
		}
	}
	st, b = e.rest("GET", v+"/query", tok, "")
	wantREST(t, st, b, 400, "MALFORMED_QUERY")
}

func TestRESTSObjects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	tok := e.tokens()["access_token"].(string)
	id := accountID(1)
	st, b := e.rest("GET", v+"/sobjects/Account/"+id[:15], tok, "")
	wantREST(t, st, b, 200, "")
	if !strings.Contains(string(b), `"Name":"Edge Communications"`) {
		t.Errorf("GET by 15-character id: %s", b)
	}
	st, b = e.rest("PATCH", v+"/sobjects/Account/"+id, tok, `{"Phone":"(512) 555-0100","industry":null}`)
	wantREST(t, st, b, 204, "")
	if len(b) != 0 {
		t.Errorf("PATCH body %q; want none", b)
	}
	st, b = e.rest("GET", v+"/sobjects/Account/"+id+"?fields=Phone,Industry", tok, "")
	if st != 200 || string(b) != `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/`+id+`"},"Phone":"(512) 555-0100","Industry":null}` {
		t.Errorf("after PATCH: %d %s", st, b)
	}
	st, b = e.rest("POST", v+"/sobjects/Account", tok, `{"Name":"sfecho Test","BillingCity":"Lyon"}`)
	wantREST(t, st, b, 201, "")
	var created struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
		Errors  []any  `json:"errors"`
	}
	if json.Unmarshal(b, &created) != nil || !created.Success || len(created.ID) != 18 || created.Errors == nil {
		t.Errorf("POST: %s", b)
	}
	st, b = e.rest("GET", v+"/sobjects/Account/"+created.ID, tok, "")
	wantREST(t, st, b, 200, "")
	for _, c := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/sobjects/Account", `{"Phone":"1"}`, 400, "REQUIRED_FIELD_MISSING"},
		{"POST", "/sobjects/Account", `{"Name":"x","Bogus__c":"1"}`, 400, "INVALID_FIELD"},
		{"POST", "/sobjects/Account", `[1]`, 400, "JSON_PARSER_ERROR"},
		{"PATCH", "/sobjects/Account/" + id, `{"Id":"001"}`, 400, "INVALID_FIELD_FOR_INSERT_UPDATE"},
		{"PATCH", "/sobjects/Account/" + id, `{"Name":""}`, 400, "REQUIRED_FIELD_MISSING"},
		{"PUT", "/sobjects/Account/" + id, `{}`, 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/sobjects/Account/0015g000999999AAAA", "", 404, "NOT_FOUND"},
		{"GET", "/sobjects/Contact/" + id, "", 404, "NOT_FOUND"},
		{"DELETE", "/sobjects/Account/" + created.ID, "", 204, ""},
		{"GET", "/sobjects/Account/" + created.ID, "", 404, "NOT_FOUND"},
	} {
		st, b := e.rest(c.method, v+c.path, tok, c.body)
		wantREST(t, st, b, c.status, c.code)
	}
}

func TestRESTApexEchoAndInstanceRoot(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.PathPrefix = "/shop"
	e := newEnv(t, cfg)
	tok := e.tokens()["access_token"].(string)
	st, b := e.rest("POST", "/shop/services/apexrest/orders/42?x=1", tok, `{"qty":2}`)
	wantREST(t, st, b, 200, "")
	var echo map[string]any
	_ = json.Unmarshal(b, &echo)
	if echo["method"] != "POST" || echo["path"] != "/orders/42" || !strings.Contains(string(b), `"body":{"qty":2}`) ||
		!strings.Contains(string(b), `"query":{"x":["1"]}`) || strings.Contains(string(b), tok) {
		t.Errorf("apexrest echo %s", b)
	}
	st, b = e.rest("GET", "/shop/services/apexrest/x", "", "")
	wantREST(t, st, b, 401, "INVALID_SESSION_ID")
	// The org's instance_url serves the REST API at its root; the OAuth
	// endpoints stay under the site prefix.
	st, b = e.rest("GET", v+"/sobjects/Account/"+accountID(2), tok, "")
	wantREST(t, st, b, 200, "")
	st, _ = e.rest("GET", "/services/oauth2/userinfo", tok, "")
	if st != 404 {
		t.Errorf("userinfo outside the prefix: %d; want 404", st)
	}
}
