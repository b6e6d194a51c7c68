package flow_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sfecho/sfecho/internal/flow"
	"github.com/sfecho/sfecho/internal/sim"
	"github.com/sfecho/sfecho/internal/sim/simtest"
)

const (
	webClient = "3MVG9web.test"
	webUser   = "carol@example.com"
	webPass   = "Carol-Passw0rd!"
)

// startWebSite serves a simulated site over real HTTP on 127.0.0.1. With
// no RedirectURIs registered, its echo URL is the callback, and the sim
// matches a loopback callback on any port: the local endpoint's default
// address, http://127.0.0.1:<free port>/services/oauth2/echo, is accepted.
func startWebSite(t *testing.T, mod func(*sim.Config), wrap func(http.Handler) http.Handler) *flow.Client {
	t.Helper()
	cfg := sim.Config{ClientID: webClient, Users: []sim.User{{Username: webUser, Password: webPass, Email: webUser}}}
	if mod != nil {
		mod(&cfg)
	}
	site := simtest.Start(t, cfg, simtest.Wrap(wrap))
	u, err := flow.ParseSite(site.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &flow.Client{HTTP: &http.Client{Timeout: 10 * time.Second}, Site: u, ClientID: webClient}
}

// newFakeBrowser drives the simulated site's login page as a person would.
func newFakeBrowser() *simtest.Browser { return simtest.NewBrowser(webUser, webPass) }

// opener adapts a fake browser to flow.Browser's Open.
func opener(b *simtest.Browser) func(string) { return func(u string) { _ = b.Open(u) } }

func setState(v string) func(*url.URL) {
	return func(u *url.URL) {
		q := u.Query()
		q.Set("state", v)
		u.RawQuery = q.Encode()
	}
}

func TestWebLogin(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, nil, nil)
	c.Scope = "api openid"
	b := newFakeBrowser()
	tok, err := c.WebLogin(t.Context(), flow.Browser{Open: opener(b), Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("WebLogin: %v", err)
	}
	if tok.AccessToken == "" || tok.IDToken == "" {
		t.Errorf("token = %+v", tok)
	}
	if got := flow.IDTokenUsername(tok.IDToken); got != webUser {
		t.Errorf("IDTokenUsername = %q; want %q", got, webUser)
	}
	r := b.Result(t)
	if r.Err != nil || r.Status != http.StatusOK || !strings.Contains(r.Body, "you can close this tab") {
		t.Errorf("callback page: %d %v\n%s", r.Status, r.Err, r.Body)
	}
	if !strings.HasPrefix(c.RedirectURI, "http://127.0.0.1:") || !strings.HasSuffix(c.RedirectURI, flow.PathEcho) {
		t.Errorf("RedirectURI = %q", c.RedirectURI)
	}
}

// A registered http://localhost callback keeps its host name and path; the
// sim accepts it on any port, so port 0 picks a free one.
func TestWebLoginRegisteredLocalhost(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, func(cfg *sim.Config) {
		cfg.RedirectURIs = []string{"http://localhost:1717/OauthRedirect"}
	}, nil)
	c.RedirectURI = "http://localhost:0/OauthRedirect"
	b := newFakeBrowser()
	if _, err := c.WebLogin(t.Context(), flow.Browser{Open: opener(b), Timeout: 20 * time.Second}); err != nil {
		t.Fatalf("WebLogin: %v", err)
	}
	if !strings.HasPrefix(c.RedirectURI, "http://localhost:") || !strings.HasSuffix(c.RedirectURI, "/OauthRedirect") {
		t.Errorf("RedirectURI = %q", c.RedirectURI)
	}
	b.Result(t)
}

func TestWebLoginFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		action   string
		redirect func(*url.URL)
		kind     flow.Kind
		is       error
		code     string
		page     string
	}{
		{name: "access denied", action: "deny", kind: flow.KindRejected, code: "access_denied", page: "Sign-in failed"},
		// A redirect without this login's state is ignored (no other page can end a login):
		// nothing else reaches the endpoint, so the login times out.
		{name: "wrong state", redirect: setState("forged-state"), kind: -1, page: "refused"},
		{name: "no state", redirect: func(u *url.URL) { q := u.Query(); q.Del("state"); u.RawQuery = q.Encode() }, kind: -1, page: "refused"},
		{name: "wrong password", action: "login", kind: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startWebSite(t, nil, nil)
			b := newFakeBrowser()
			b.Action, b.Rewrite = tc.action, tc.redirect
			if tc.kind == -1 {
				// The site shows its page again, or the redirect is
				// ignored; the login times out.
				if tc.redirect == nil {
					b.Pass = "wrong"
				}
				_, err := c.WebLogin(t.Context(), flow.Browser{Open: opener(b), Timeout: 500 * time.Millisecond})
				if !errors.Is(err, flow.ErrLoginTimeout) {
					t.Errorf("err = %v; want a timeout", err)
				}
				if r := b.Result(t); !strings.Contains(r.Body, tc.page) {
					t.Errorf("callback page lacks %q: %d %v\n%s", tc.page, r.Status, r.Err, r.Body)
				}
				return
			}
			_, err := c.WebLogin(t.Context(), flow.Browser{Open: opener(b), Timeout: 20 * time.Second})
			if flow.KindOf(err) != tc.kind {
				t.Fatalf("err = %v (kind %d); want kind %d", err, flow.KindOf(err), tc.kind)
			}
			var fe *flow.Error
			if errors.As(err, &fe) && fe.Code != tc.code {
				t.Errorf("code = %q; want %q", fe.Code, tc.code)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v; want %v", err, tc.is)
			}
			if strings.Contains(err.Error(), "forged-state") || flow.AdviceOf(err) == "" {
				t.Errorf("message %q, advice %q", err, flow.AdviceOf(err))
			}
			if r := b.Result(t); !strings.Contains(r.Body, tc.page) {
				t.Errorf("callback page lacks %q: %d %v\n%s", tc.page, r.Status, r.Err, r.Body)
			}
		})
	}
}

func TestWebLoginTimeoutAndInterrupt(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, nil, nil)
	_, err := c.WebLogin(t.Context(), flow.Browser{Open: func(string) {}, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, flow.ErrLoginTimeout) || flow.KindOf(err) != flow.KindNetwork {
		t.Fatalf("err = %v; want ErrLoginTimeout, KindNetwork", err)
	}
	if a := flow.AdviceOf(err); !strings.Contains(a, "--login-timeout") || !strings.Contains(a, "ssh -L") {
		t.Errorf("advice = %q", a)
	}
	ctx, cancel := context.WithCancel(t.Context())
	_, err = c.WebLogin(ctx, flow.Browser{Open: func(string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted: err = %v; want context.Canceled", err)
	}
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	site, _ := flow.ParseSite("https://acme.my.site.com/shop")
	tests := []struct {
		name string
		c    flow.Client
		hint string
		want string
	}{
		{"minimal", flow.Client{Site: site, ClientID: "cid", RedirectURI: "http://localhost:1717/cb"}, "",
			"https://acme.my.site.com/shop/services/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2Fcb&state=ST&code_challenge=CH&code_challenge_method=S256"},
		{"scope and hint", flow.Client{Site: site, ClientID: "cid", RedirectURI: "http://127.0.0.1:5/cb", Scope: "api refresh_token"}, "a+b@example.com",
			"https://acme.my.site.com/shop/services/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcb&state=ST&code_challenge=CH&code_challenge_method=S256&scope=api+refresh_token&login_hint=a%2Bb%40example.com"},
		{"no method", flow.Client{Site: site, ClientID: "cid", RedirectURI: "http://127.0.0.1:5/cb", ChallengeMethod: flow.MethodNone}, "",
			"https://acme.my.site.com/shop/services/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcb&state=ST&code_challenge=CH"},
	}
	for _, tc := range tests {
		if got := tc.c.AuthorizeURL("ST", "CH", tc.hint); got != tc.want {
			t.Errorf("%s: AuthorizeURL =\n %s\nwant\n %s", tc.name, got, tc.want)
		}
	}
}

func TestLocalAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, addr, path string
		loopback, err  bool
	}{
		{"", "localhost:0", "/services/oauth2/echo", false, false},
		{"https://acme.my.site.com/services/oauth2/echo", "localhost:0", "/services/oauth2/echo", false, false},
		{"http://localhost:1717/OauthRedirect", "localhost:1717", "/OauthRedirect", true, false},
		{"http://127.0.0.1:8080/services/oauth2/echo", "127.0.0.1:8080", "/services/oauth2/echo", true, false},
		{"http://[::1]:9000/cb", "[::1]:9000", "/cb", true, false},
		{"http://localhost/cb", "localhost:80", "/cb", true, false},
		{"http://localhost:1717", "localhost:1717", "/", true, false},
		{"https://localhost:1717/cb", "", "", false, true},
		{"http://localhost:1717/cb?x=1", "", "", false, true},
		{"http://u:p@localhost:1717/cb", "", "", false, true},
	}
	for _, tc := range tests {
		addr, path, loopback, err := flow.LocalAddr(tc.in)
		if addr != tc.addr || path != tc.path || loopback != tc.loopback || (err != nil) != tc.err {
			t.Errorf("LocalAddr(%q) = %q, %q, %v, %v; want %q, %q, %v, err %v", tc.in, addr, path, loopback, err, tc.addr, tc.path, tc.loopback, tc.err)
		}
		if err != nil && (flow.KindOf(err) != flow.KindUsage || strings.Contains(err.Error(), "u:p")) {
			t.Errorf("LocalAddr(%q) error %v", tc.in, err)
		}
	}
}

func TestLoginLocal(t *testing.T) {
	t.Parallel()
	c := startWebSite(t, nil, nil)
	tok, err := c.LoginLocal(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("LoginLocal: %v", err)
	}
	if !strings.HasPrefix(c.RedirectURI, "http://127.0.0.1:") {
		t.Errorf("RedirectURI = %q", c.RedirectURI)
	}
}

func TestLoginLocalFailures(t *testing.T) {
	t.Parallel()
	t.Run("wrong state", func(t *testing.T) {
		t.Parallel()
		c := startWebSite(t, nil, simtest.RewriteLocation(setState("forged-state")))
		_, err := c.LoginLocal(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
		if !errors.Is(err, flow.ErrStateMismatch) || flow.KindOf(err) != flow.KindSecurity {
			t.Fatalf("err = %v; want a state mismatch", err)
		}
	})
	t.Run("error redirect", func(t *testing.T) {
		t.Parallel()
		c := startWebSite(t, nil, simtest.RewriteLocation(func(u *url.URL) {
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
		}))
		_, err := c.LoginLocal(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
		if flow.KindOf(err) != flow.KindRejected {
			t.Fatalf("err = %v; want KindRejected", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
		c := startWebSite(t, nil, nil)
		c.RedirectURI = "http://127.0.0.1:" + port + "/services/oauth2/echo"
		_, err = c.LoginLocal(t.Context(), flow.Authorization{User: webUser, Secret: webPass}, nil)
		if flow.KindOf(err) != flow.KindUsage || !strings.Contains(flow.AdviceOf(err), "port "+port+" is in use") {
			t.Fatalf("err = %v, advice %q; want KindUsage with the B1 advice", err, flow.AdviceOf(err))
		}
	})
}

func TestIDTokenUsername(t *testing.T) {
	t.Parallel()
	enc := base64URL
	tests := map[string]string{
		"":       "",
		"opaque": "",
		"a." + enc(`{"preferred_username":"x@y"}`) + ".s": "x@y",
		"a." + enc(`{"sub":"1"}`) + ".s":                  "",
		"a.!!!.s":                                         "",
		"a." + enc(`not json`) + ".s":                     "",
	}
	for in, want := range tests {
		if got := flow.IDTokenUsername(in); got != want {
			t.Errorf("IDTokenUsername(%q) = %q; want %q", in, got, want)
		}
	}
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
