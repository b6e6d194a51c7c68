package sim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSite throws arbitrary requests at every endpoint: the site must never
// panic or answer 5xx on its own.
func FuzzSite(f *testing.F) {
	f.Add("POST", "/services/oauth2/authorize", "Named-User", basic(testUser, testPass), "response_type=code_credentials&client_id="+testClient)
	f.Add("POST", "/services/oauth2/authorize", "guest", "", "response_type=code_credentials&client_id="+testClient+"&uvid_hint=JWT+x.y.z")
	f.Add("POST", "/services/oauth2/authorize", "passwordless-login", "Basic Og==", "response_type=code_credentials")
	f.Add("GET", "/services/oauth2/authorize", "", "", "response_type=code&client_id="+testClient+"&redirect_uri=http://localhost:1/x")
	f.Add("POST", "/services/oauth2/token", "guest", "Basic !!", "grant_type=authorization_code&code=aPrx==")
	f.Add("POST", "/services/oauth2/token", "", "", "grant_type=refresh_token&refresh_token=5Aep861")
	f.Add("POST", "/services/auth/headless/init/registration", "", "Bearer x", `{"userdata":{"email":1}}`)
	f.Add("POST", "/services/auth/headless/forgot_password", "", "", `{"username":"a","otp":"1","newpassword":"x"}`)
	f.Add("POST", "/services/auth/headless/init/passwordless/login", "", "", `{"login_hint":"+1","verificationmethod":"sms"}`)
	f.Add("POST", "/services/oauth2/introspect", "", "Basic "+testClient, "token=x")
	f.Add("GET", "/id/"+OrgID+"/x", "", "Bearer x", "")
	site := New(headlessConfig())
	f.Fuzz(func(t *testing.T, method, path, kind, auth, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " #?%") {
			return
		}
		if _, err := url.Parse("http://site.test" + path); err != nil {
			return
		}
		req := httptest.NewRequest(method, "http://site.test"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		}
		setIfValid(req.Header, "Auth-Request-Type", kind)
		setIfValid(req.Header, "Authorization", auth)
		setIfValid(req.Header, "Uvid-Hint", kind)
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d: %s", method, path, rec.Code, rec.Body)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD":
		return true
	}
	return false
}

func setIfValid(h http.Header, k, v string) {
	if v != "" && !strings.ContainsAny(v, "\r\n\x00") {
		h.Set(k, v)
	}
}

// TestConcurrentLogins runs logins, refreshes, userinfo and revokes at once;
// run with -race.
func TestConcurrentLogins(t *testing.T) {
	t.Parallel()
	cfg := baseConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	t.Run("group", func(t *testing.T) {
		for i := 0; i < 8; i++ {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				e := &env{t: t, site: e.site, srv: e.srv, c: e.c, base: e.base}
				m := e.tokens()
				n := decode(t, e.refresh(m["refresh_token"].(string), nil), http.StatusOK)
				userinfoStatus(t, e, n["access_token"].(string), http.StatusOK)
				e.do(http.MethodPost, "/services/oauth2/revoke", url.Values{"token": {n["refresh_token"].(string)}}, nil)
			})
		}
	})
	if e.site.Requests() != 8*5 {
		t.Errorf("Requests() = %d; want 40", e.site.Requests())
	}
}
