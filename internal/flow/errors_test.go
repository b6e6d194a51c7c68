package flow

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestClassifyOAuth(t *testing.T) {
	tests := []struct {
		op, code, desc string
		want           Kind
		advice         string
	}{
		{OpAuthorize, "invalid_grant", "authentication failure", KindRejected, "username and password"},
		{OpAuthorize, "invalid_grant", "IP restricted or invalid login hours", KindSetup, "IP Relaxation"},
		{OpAuthorize, "invalid_grant", "user hasn't approved this consumer", KindSetup, "consent"},
		{OpAuthorize, "invalid_client_id", "client identifier invalid", KindSetup, "Consumer Key"},
		{OpAuthorize, "redirect_uri_mismatch", "redirect_uri must match configuration", KindSetup, "Callback URL"},
		{OpAuthorize, "unsupported_response_type", "", KindSetup, "Allow Authorization Code"},
		{OpAuthorize, "oauth_flow_disabled", "", KindSetup, "Enable Authorization Code"},
		{OpAuthorize, "invalid_app_access", "user is not admin approved to access this app", KindSetup, "Policies"},
		{OpAuthorize, "inactive_user", "User is inactive", KindRejected, "inactive"},
		{OpAuthorize, "inactive_org", "", KindSetup, "org"},
		{OpAuthorize, "rate_limit_exceeded", "", KindNetwork, "3,600"},
		{OpAuthorize, "invalid_scope", "", KindSetup, "space-separated"},
		{OpAuthorize, "invalid_request", "missing required code challenge", KindSetup, "PKCE"},
		{OpAuthorize, "invalid_request", "uvid invalid", KindUsage, "v4 UUID"},
		{OpAuthorize, "access_denied", "end-user denied authorization", KindRejected, "Allow"},
		{OpAuthorizeOTP, "invalid_grant", "authentication failure", KindRejected, "request a new one"},
		{OpExchange, "invalid_grant", "expired authorization code", KindRejected, "exchange the new code"},
		{OpExchange, "invalid_grant", "invalid code verifier", KindRejected, "PKCE"},
		{OpExchange, "invalid_client", "invalid client credentials", KindSetup, "Require secret"},
		{OpExchange, "unsupported_grant_type", "grant type not supported", KindUsage, "https"},
		{OpRefresh, "invalid_grant", "expired access/refresh token", KindNoSession, "sfecho login"},
		{OpRefresh, "invalid_grant", "authentication failure", KindNoSession, "password changed"},
		{OpRefresh, "invalid_client", "invalid client credentials", KindNoSession, "sfecho login"},
		{OpAuthorize, "something_new", "", KindUnexpected, ""},
	}
	for _, tc := range tests {
		kind, advice := classifyOAuth(tc.op, tc.code, tc.desc)
		if kind != tc.want || !strings.Contains(advice, tc.advice) {
			t.Errorf("classifyOAuth(%q, %q, %q) = %v, %q; want %v, ~%q", tc.op, tc.code, tc.desc, kind, advice, tc.want, tc.advice)
		}
	}
}

func TestTransportErrorKinds(t *testing.T) {
	dns := &url.Error{Op: "Post", URL: "https://x.example/?code=SECRET", Err: &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}}
	e := transportError(OpAuthorize, "https://x.example/a", dns)
	if KindOf(e) != KindNetwork || strings.Contains(e.Error(), "SECRET") || !strings.Contains(AdviceOf(e), "HTTPS_PROXY") {
		t.Errorf("dns: %v / %q", e, AdviceOf(e))
	}
	if KindOf(transportError(OpAuthorize, "https://x", io.ErrUnexpectedEOF)) != KindNetwork {
		t.Error("EOF is not a network error")
	}
	if KindOf(transportError(OpAuthorize, "https://x", context.DeadlineExceeded)) != KindNetwork {
		t.Error("deadline is not a network error")
	}
}

func TestResponseErrorShapes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			io.WriteString(w, "<html>login</html>")
		case "/rest":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
		case "/429":
			w.WriteHeader(429)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for path, want := range map[string]Kind{"/html": KindSetup, "/rest": KindUnexpected, "/429": KindNetwork, "/missing": KindSetup} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := readBody(resp)
		e := responseError(OpAuthorize, resp, body)
		if KindOf(e) != want {
			t.Errorf("%s: kind %v (%v); want %v", path, KindOf(e), e, want)
		}
	}
}

func TestParseSite(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://acme.my.site.com/shop/":   true,
		"https://acme.my.site.com":         true,
		"http://127.0.0.1:8080/shop":       true,
		"http://localhost:1":               true,
		"http://acme.my.site.com":          false,
		"https://acme.my.site.com/s/login": false,
		"https://login.salesforce.com":     false,
		"acme.my.site.com":                 false,
		"":                                 false,
		"https://user:pw@acme.my.site.com": false,
	} {
		u, err := ParseSite(raw)
		if (err == nil) != ok {
			t.Errorf("ParseSite(%q) = %v, %v; want ok=%v", raw, u, err, ok)
		}
		if err != nil && (KindOf(err) != KindUsage || strings.Contains(err.Error(), "pw@")) {
			t.Errorf("ParseSite(%q) error %v", raw, err)
		}
		if ok && strings.HasSuffix(u.Path, "/") {
			t.Errorf("ParseSite(%q) kept a trailing slash", raw)
		}
	}
}

func TestTokenSignature(t *testing.T) {
	// Computed independently with:
	// printf %s 'https://x/id/00D/005''1667600739962' | openssl dgst -sha256 -hmac secret -binary | base64
	tok := &Token{ID: "https://x/id/00D/005", IssuedAt: "1667600739962", Signature: "5U8bToX1SKZR3hU6CaH7cenQkGxGh7ebBf9iP6KTkQc="}
	if !tok.VerifySignature("secret") {
		t.Error("VerifySignature rejected the openssl vector")
	}
	if tok.VerifySignature("other") {
		t.Error("VerifySignature accepted the wrong secret")
	}
	tok.Signature = "not base64!"
	if tok.VerifySignature("secret") {
		t.Error("VerifySignature accepted garbage")
	}
	if got := tok.IssuedTime().UnixMilli(); got != 1667600739962 {
		t.Errorf("IssuedTime = %d", got)
	}
}

func TestCheckCodeStateFirst(t *testing.T) {
	site, _ := ParseSite("https://acme.my.site.com")
	c := &Client{Site: site, ClientID: "x"}
	tests := []struct {
		name string
		p    map[string]string
		want Kind
	}{
		{"error with a wrong state", map[string]string{"error": "access_denied", "state": "forged"}, KindSecurity},
		{"error with the right state", map[string]string{"error": "access_denied", "state": "s1"}, KindRejected},
		{"error without state", map[string]string{"error": "access_denied"}, KindRejected},
		{"code without state", map[string]string{"code": "c"}, KindSecurity},
		{"code with an empty state", map[string]string{"code": "c", "state": ""}, KindSecurity},
		{"no code", map[string]string{"state": "s1"}, KindSetup}, // neither code nor error: not set up (errors.md A4)
		{"nothing at all", map[string]string{}, KindSetup},       // nothing to steal, nothing to believe
		{"no code, wrong state", map[string]string{"state": "x"}, KindSetup},
		{"offsite community url", map[string]string{"code": "c", "state": "s1", "sfdc_community_url": "https://evil.example"}, KindSecurity},
	}
	for _, tc := range tests {
		_, err := c.checkCode(OpAuthorize, "s1", tc.p)
		if KindOf(err) != tc.want {
			t.Errorf("%s: %v (kind %v); want kind %v", tc.name, err, KindOf(err), tc.want)
		}
	}
	if code, err := c.checkCode(OpAuthorize, "s1", map[string]string{"code": "c==", "state": "s1", "sfdc_community_url": "https://acme.my.site.com"}); err != nil || code.Code != "c==" {
		t.Errorf("good redirect: %v %v", code, err)
	}
}

// TestCommunityURLRule is the table of which sfdc_community_url may
// receive the code and verifier (protocol.md §1, design.md security rules).
func TestCommunityURLRule(t *testing.T) {
	for _, tc := range []struct {
		site, community string
		trusted         []string
		ok              bool
	}{
		{"https://acme.my.site.com/shop", "https://ACME.my.site.com/shop", nil, true},
		{"https://login.acme.com", "https://acme.my.site.com", nil, true},                                  // custom domain → its my.site.com address
		{"https://login.acme.com", "https://acme--uat.sandbox.my.site.com/s", nil, true},                   // sandbox form
		{"https://login.acme.com", "https://acme.my.salesforce-sites.com", nil, true},                      // Salesforce Sites
		{"https://login.acme.com", "https://acme.force.com/shop", nil, true},                               // legacy force.com
		{"https://login.acme.com", "https://acme.my.salesforce.com", nil, true},                            // My Domain
		{"https://login.acme.com", "https://evil.example", nil, false},                                     // foreign host
		{"https://login.acme.com", "https://my.site.com.evil.example", nil, false},                         // suffix trick
		{"https://login.acme.com", "https://evilmy.site.com.example", nil, false},                          // not a subdomain
		{"https://login.acme.com", "https://salesforce.com", nil, false},                                   // a bare domain is no site
		{"https://login.acme.com", "http://acme.my.site.com", nil, false},                                  // downgrade
		{"https://login.acme.com", "https://acme.my.site.com:8443", nil, false},                            // odd port
		{"https://login.acme.com", "https://user@acme.my.site.com", nil, false},                            // userinfo
		{"https://acme.my.site.com", "http://acme.my.site.com", nil, false},                                // https→http on the same host
		{"https://login.acme.com", "https://portal.acme.com", []string{"https://portal.acme.com/x"}, true}, // trusted explicitly
		{"https://login.acme.com", "http://portal.acme.com", []string{"https://portal.acme.com"}, false},   // trust is per scheme
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/shop", nil, true},
		{"http://127.0.0.1:8080", "http://[::1]:8080", nil, false},     // 127.0.0.1 is not [::1]
		{"http://127.0.0.1:8080", "http://localhost:8080", nil, false}, // nor localhost
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081", nil, false},
		{"https://127.0.0.1:8443", "http://127.0.0.1:8443", nil, false}, // an https site never sends the code over http
		{"https://127.0.0.1:8443", "https://127.0.0.1:8443", nil, true},
		{"https://login.acme.com", "https://203.0.113.9", nil, false},
		{"https://login.acme.com", "not a url", nil, false},
	} {
		site, _ := url.Parse(tc.site)
		c := &Client{Site: site, TrustedCommunityURLs: tc.trusted}
		err := c.CheckCommunityURL(tc.community)
		if (err == nil) != tc.ok {
			t.Errorf("site %s, community %s, trusted %v: err %v; want ok=%v", tc.site, tc.community, tc.trusted, err, tc.ok)
		}
		if err != nil && (KindOf(err) != KindSecurity || !strings.Contains(err.(*Error).Advice, "--trust-community-url")) {
			t.Errorf("%s: %v (kind %v, advice %q); want a security error naming --trust-community-url", tc.community, err, KindOf(err), err.(*Error).Advice)
		}
	}
}

// TestTokenRedirectNotFollowed makes sure the token request, which carries
// the code and verifier, is never re-sent to a redirect target.
func TestTokenRedirectNotFollowed(t *testing.T) {
	var leaked bool
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked = true }))
	defer evil.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer site.Close()
	u, _ := ParseSite(site.URL)
	c := &Client{HTTP: site.Client(), Site: u, ClientID: "x", ClientSecret: "s"}
	_, err := c.Exchange(context.Background(), &Code{Code: "c"}, strings.Repeat("v", 43), nil)
	if leaked || KindOf(err) != KindSecurity {
		t.Errorf("exchange: leaked=%v err=%v (kind %v); want no request to the target and kind security", leaked, err, KindOf(err))
	}
	_, err = c.Refresh(context.Background(), "", "refresh-token")
	if leaked || err == nil {
		t.Errorf("refresh: leaked=%v err=%v", leaked, err)
	}
}

func TestTokenHTMLPageIsSetup(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>login</html>")
	}))
	defer site.Close()
	u, _ := ParseSite(site.URL)
	c := &Client{HTTP: site.Client(), Site: u, ClientID: "x"}
	_, err := c.Exchange(context.Background(), &Code{Code: "c"}, strings.Repeat("v", 43), nil)
	if KindOf(err) != KindSetup {
		t.Errorf("HTML 200 at the token step: %v (kind %v); want setup (errors.md A5)", err, KindOf(err))
	}
}
