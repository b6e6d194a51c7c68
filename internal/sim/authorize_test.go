package sim

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAuthorizeSuccessLocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	resp := e.authorize(e.authForm(), named(testUser, testPass))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d; want 302", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, e.echoURL()+"?code=aPrx") || !strings.Contains(loc, "%3D%3D&") {
		t.Errorf("Location = %q; want echo URL, code=aPrx... ending %%3D%%3D", loc)
	}
	q, _ := url.Parse(loc)
	v := q.Query()
	if !regexp.MustCompile(`^aPrx[A-Za-z0-9_-]{78}==$`).MatchString(v.Get("code")) {
		t.Errorf("code %q not shaped like a Salesforce code", v.Get("code"))
	}
	want := map[string]string{"state": "st-1", "sfdc_community_url": e.srv.URL, "sfdc_community_id": CommunityID}
	for k, w := range want {
		if v.Get(k) != w {
			t.Errorf("%s = %q; want %q", k, v.Get(k), w)
		}
	}
}

func TestAuthorizeNoStateNoState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	resp := e.authorize(with(e.authForm(), "state", ""), named(testUser, testPass))
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "state=") {
		t.Errorf("Location %q has a state that was never sent", loc)
	}
}

// Only standard padded base64 is a Basic header (RFC 7617); the URL-safe
// or unpadded form older SDKs sent gets the edge's generic HTML error page,
// not an OAuth error (protocol.md §1). The credentials below encode to
// base64 with both '-'/'_' positions and padding, so each form differs.
func TestAuthorizeBasicEncodings(t *testing.T) {
	t.Parallel()
	raw := testUser + ":" + testPass + "?>?"
	cfg := baseConfig()
	cfg.Users[0].Password = testPass + "?>?"
	for name, enc := range map[string]*base64.Encoding{
		"std": base64.StdEncoding, "urlsafe": base64.URLEncoding, "urlsafe-nopad": base64.RawURLEncoding, "std-nopad": base64.RawStdEncoding,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, cfg)
			h := map[string]string{"Auth-Request-Type": "named-user", "Authorization": "Basic " + enc.EncodeToString([]byte(raw))}
			resp := e.authorize(e.authForm(), h)
			if name == "std" {
				if c := codeFrom(t, resp); c == "" {
					t.Error("no code")
				}
				return
			}
			wantHTML(t, resp, http.StatusBadRequest)
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	pkceOn := baseConfig()
	pkceOn.RequirePKCE = true
	disabled := baseConfig()
	disabled.FlowDisabled = true
	disabledHTML := baseConfig()
	disabledHTML.FlowDisabled, disabledHTML.FlowDisabledError = true, FlowDisabledHTML
	disabledJSON := baseConfig()
	disabledJSON.FlowDisabled, disabledJSON.FlowDisabledError = true, "unsupported_response_type"
	tests := []struct {
		name       string
		cfg        Config
		form       []string // key, value ("" deletes)
		hdr        map[string]string
		html       bool
		code, desc string
	}{
		{"response type", baseConfig(), []string{"response_type", "token"}, nil, false, "unsupported_response_type", "response type not supported"},
		{"client id", baseConfig(), []string{"client_id", "nope"}, nil, false, "invalid_client_id", "client identifier invalid"},
		{"redirect mismatch", baseConfig(), []string{"redirect_uri", "https://evil.example/cb"}, nil, false, "redirect_uri_mismatch", "redirect_uri must match configuration"},
		{"redirect trailing slash", baseConfig(), []string{"redirect_uri", "ECHO/"}, nil, false, "redirect_uri_mismatch", ""},
		{"redirect missing", baseConfig(), []string{"redirect_uri", ""}, nil, false, "redirect_uri_missing", ""},
		{"scope not on app", baseConfig(), []string{"scope", "api full"}, nil, true, "", ""},
		{"comma scopes", baseConfig(), []string{"scope", "api,openid"}, nil, true, "", ""},
		{"pkce required", pkceOn, []string{"code_challenge", ""}, nil, false, "invalid_request", "missing required code challenge"},
		{"plain method", baseConfig(), []string{"code_challenge_method", "plain"}, nil, false, "invalid_request", ""},
		{"bad challenge", baseConfig(), []string{"code_challenge", "abc"}, nil, false, "invalid_request", "invalid code challenge"},
		{"wrong password", baseConfig(), nil, named(testUser, "nope"), false, "invalid_grant", "authentication failure"},
		{"unknown user", baseConfig(), nil, named("who@example.com", testPass), false, "invalid_grant", "authentication failure"},
		{"inactive", baseConfig(), nil, named("bob@example.com", "Bob-Passw0rd"), false, "inactive_user", ""},
		{"basic without colon", baseConfig(), nil, map[string]string{"Auth-Request-Type": "Named-User", "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon"))}, false, "invalid_basic_auth_header", ""},
		{"no credentials", baseConfig(), nil, map[string]string{"Auth-Request-Type": "Named-User"}, false, "invalid_basic_auth_header", ""},
		{"no request type", baseConfig(), nil, map[string]string{"Authorization": basic(testUser, testPass)}, true, "", ""},
		{"other request type", baseConfig(), nil, map[string]string{"Auth-Request-Type": "Guest-User"}, false, "invalid_request", "invalid headers"},
		{"flow disabled", disabled, nil, nil, false, "invalid_client", "code credential flow not enabled"},
		{"flow disabled html", disabledHTML, nil, nil, true, "", ""},
		{"flow disabled json", disabledJSON, nil, nil, false, "unsupported_response_type", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.cfg)
			form := e.authForm()
			for i := 0; i+1 < len(tc.form); i += 2 {
				form = with(form, tc.form[i], strings.ReplaceAll(tc.form[i+1], "ECHO", e.echoURL()))
			}
			hdr := tc.hdr
			if hdr == nil {
				hdr = named(testUser, testPass)
			}
			resp := e.authorize(form, hdr)
			if tc.html {
				wantHTML(t, resp, http.StatusOK)
				return
			}
			wantError(t, resp, tc.code, tc.desc)
		})
	}
}

func TestAuthorizeCredentialsInBody(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.CredentialsInBody = true
	e := newEnv(t, cfg)
	h := map[string]string{"Auth-Request-Type": "Named-User"}
	if codeFrom(t, e.authorize(with(e.authForm(), "username", testUser, "password", testPass), h)) == "" {
		t.Error("body credentials refused")
	}
	wantHTML(t, e.authorize(e.authForm(), named(testUser, testPass)), http.StatusOK)
	wantError(t, e.authorize(with(e.authForm(), "username", testUser, "password", "x"), h), "invalid_grant", "authentication failure")
	get := e.do(http.MethodGet, "/services/oauth2/authorize", with(e.authForm(), "username", testUser, "password", testPass), h)
	wantError(t, get, "invalid_request", "Must use HTTP POST")
}

func TestAuthorizeBodyCredentialsWithoutSetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, baseConfig())
	h := map[string]string{"Auth-Request-Type": "Named-User"}
	if codeFrom(t, e.authorize(with(e.authForm(), "username", testUser, "password", testPass), h)) == "" {
		t.Error("body credentials refused")
	}
}

func TestAuthorizeLoginHint(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.Discovery = true
	e := newEnv(t, cfg)
	h := map[string]string{"Auth-Request-Type": "Named-User"}
	for _, hint := range []string{testUser, "ALICE@example.com", "+15550100"} {
		if codeFrom(t, e.authorize(with(e.authForm(), "login_hint", hint, "password", testPass), h)) == "" {
			t.Errorf("login_hint %q refused", hint)
		}
	}
	off := newEnv(t, baseConfig())
	wantError(t, off.authorize(with(off.authForm(), "login_hint", "+15550100", "password", testPass), h), "invalid_grant", "")
}

func TestRedirectURIs(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.RedirectURIs = []string{"http://localhost:1717/OauthRedirect", "https://app.example.com/cb"}
	e := newEnv(t, cfg)
	tests := []struct {
		uri string
		ok  bool
	}{
		{"http://localhost:1717/OauthRedirect", true},
		{"http://localhost:50123/OauthRedirect", true},
		{"http://localhost/OauthRedirect", true},
		{"http://127.0.0.1:1717/OauthRedirect", false},
		{"http://localhost:1717/OauthRedirect/", false},
		{"https://app.example.com/cb", true},
		{"https://app.example.com:8443/cb", false},
		{"https://app.example.com/cb?x=1", false},
	}
	for _, tc := range tests {
		resp := e.authorize(with(e.authForm(), "redirect_uri", tc.uri), named(testUser, testPass))
		if got := resp.StatusCode == http.StatusFound; got != tc.ok {
			t.Errorf("redirect_uri %q: status %d; want ok=%v", tc.uri, resp.StatusCode, tc.ok)
		}
		if tc.ok && !strings.HasPrefix(resp.Header.Get("Location"), tc.uri+"?code=") {
			t.Errorf("Location %q does not start with %q", resp.Header.Get("Location"), tc.uri)
		}
	}
}

func TestPathPrefix(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.PathPrefix = "shop/"
	e := newEnv(t, cfg)
	if e.site.Config().PathPrefix != "/shop" {
		t.Fatalf("prefix = %q; want /shop", e.site.Config().PathPrefix)
	}
	resp := e.authorize(e.authForm(), named(testUser, testPass))
	u, _ := url.Parse(resp.Header.Get("Location"))
	if got := u.Query().Get("sfdc_community_url"); got != e.srv.URL+"/shop" {
		t.Errorf("sfdc_community_url = %q; want %q", got, e.srv.URL+"/shop")
	}
	m := decode(t, e.exchange(u.Query().Get("code"), nil), http.StatusOK)
	if m["sfdc_community_url"] != e.srv.URL+"/shop" || !strings.HasPrefix(m["id"].(string), e.srv.URL+"/shop/id/") {
		t.Errorf("token response urls %v %v", m["sfdc_community_url"], m["id"])
	}
	for _, p := range []string{"/services/oauth2/authorize", "/shopx/services/oauth2/token", "/shop/services/oauth2/nothing", "/"} {
		resp, err := e.c.Post(e.srv.URL+p, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		wantHTML(t, resp, http.StatusNotFound)
	}
}
