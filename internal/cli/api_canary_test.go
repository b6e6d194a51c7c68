package cli

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCanaryAPIVerbose runs sfecho api -v through every path that touches
// a token — version lookup, calls, paging, a 401 with its refresh and
// retry, a refresh before the call, failures — and checks that no token,
// password or client secret reaches stderr or stdout.
func TestCanaryAPIVerbose(t *testing.T) {
	t.Parallel()
	const secret = "CANARY-clientsecret-a71"
	cfg := defaultConfig()
	cfg.RotateRefreshTokens, cfg.ClientSecret, cfg.QueryBatchSize = true, secret, 3
	cn := &canaries{seen: map[string]string{secret: "client secret", testPass: "password"}}
	ts := startSite(t, cfg, cn.record)
	te := newTestEnv(t)
	te.vars["SFECHO_CLIENT_SECRET"] = secret
	ts.login(t, te)
	cn.add("access_token", te.session(t, "default").AccessToken)
	check := func(args []string, wantCode int) {
		t.Helper()
		if code := te.run(t, args...); code != wantCode {
			t.Fatalf("%v: exit %d; want %d\n%s", args, code, wantCode, te.stderr)
		}
		if !strings.Contains(te.stderr.String(), "> GET") && !strings.Contains(te.stderr.String(), "> POST") {
			t.Errorf("%v: no trace on stderr:\n%s", args, te.stderr)
		}
		if l := cn.leaks(te.stderr.String()); len(l) > 0 {
			t.Errorf("%v: stderr leaks %v:\n%s", args, l, te.stderr)
		}
		if l := cn.leaks(te.stdout.String()); len(l) > 0 {
			t.Errorf("%v: stdout leaks %v:\n%s", args, l, te.stdout)
		}
	}
	check([]string{"api", "-v", "sobjects/Account/" + testAccount}, 0)
	check([]string{"api", "-v", "--query", "SELECT Id, Name FROM Account", "--paginate"}, 0)
	check([]string{"api", "-v", "-i", "sobjects/Account", "-d", `{"Name":"Canary"}`}, 0)
	check([]string{"api", "-v", "/services/apexrest/echo?x=1", "-d", `{"a":1}`}, 0)
	check([]string{"api", "-v", "sobjects/Account/0015g000999999AAAA"}, ExitError)
	// The site drops the access token: a 401, one refresh, one retry.
	resp, err := http.PostForm(ts.URL+"/services/oauth2/revoke", url.Values{"token": {te.session(t, "default").AccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	te.vars["SFECHO_DEBUG"] = "1"
	check([]string{"api", "chatter/users/me"}, 0)
	if !strings.Contains(te.stderr.String(), "< HTTP/1.1 401") || !strings.Contains(te.stderr.String(), "grant_type=refresh_token") {
		t.Errorf("the trace shows no 401 and refresh:\n%s", te.stderr)
	}
	// A token about to expire is refreshed before the call.
	te.later(3 * time.Hour)
	check([]string{"api", "sobjects"}, 0)
}
